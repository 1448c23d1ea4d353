import SGPSupport

/// One field of a form, rendered by `Templates/field.mustache` in the GOV.UK pattern: label, hint,
/// error message beside the field, the value kept after an error.
struct FormField: Sendable {
    struct Option: Sendable {
        var value: String
        var label: String
        var selected: Bool
        /// The value as it may appear in an element id: ids hold no spaces ("Ashby Vale" → "Ashby-Vale").
        /// Stored, not computed: templates read stored properties only.
        var idSuffix: String

        init(value: String, label: String, selected: Bool) {
            self.value = value
            self.label = label
            self.selected = selected
            idSuffix = String(value.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        }
    }

    var name: String
    var label: String
    var hint: String?
    var value: String
    var error: String?
    var inputType: String = "text"
    var autocomplete: String?
    var isInput = true
    var isSelect = false
    var isTextarea = false
    var isCheckbox = false
    var isCheckboxGroup = false
    var checked = false
    var options: [Option] = []
    var isFile = false
    /// The kinds of file a file field offers to choose (`accept`).
    var accept: String?

    static func text(
        _ name: String, _ label: String, value: String?, errors: ValidationErrors, hint: String? = nil, type: String = "text",
        autocomplete: String? = nil
    ) -> FormField {
        FormField(
            name: name, label: label, hint: hint, value: value ?? "", error: errors[name], inputType: type,
            autocomplete: autocomplete)
    }

    static func textarea(_ name: String, _ label: String, value: String?, errors: ValidationErrors, hint: String? = nil)
        -> FormField
    {
        FormField(name: name, label: label, hint: hint, value: value ?? "", error: errors[name], isInput: false, isTextarea: true)
    }

    /// A file to upload; the form must post `multipart/form-data`. A browser cannot be given a file
    /// back, so there is no value to keep after an error.
    static func file(_ name: String, _ label: String, errors: ValidationErrors, hint: String? = nil, accept: String? = nil)
        -> FormField
    {
        FormField(
            name: name, label: label, hint: hint, value: "", error: errors[name], isInput: false, isFile: true, accept: accept)
    }

    static func select(
        _ name: String, _ label: String, value: String?, choices: [(String, String)], errors: ValidationErrors,
        hint: String? = nil
    ) -> FormField {
        FormField(
            name: name, label: label, hint: hint, value: value ?? "", error: errors[name], isInput: false, isSelect: true,
            options: choices.map { Option(value: $0.0, label: $0.1, selected: $0.0 == value) })
    }

    static func checkbox(_ name: String, _ label: String, checked: Bool, errors: ValidationErrors, hint: String? = nil)
        -> FormField
    {
        FormField(
            name: name, label: label, hint: hint, value: "true", error: errors[name], isInput: false, isCheckbox: true,
            checked: checked)
    }

    static func checkboxes(
        _ name: String, _ label: String, selected: [String], choices: [(String, String)], errors: ValidationErrors,
        hint: String? = nil
    ) -> FormField {
        FormField(
            name: name, label: label, hint: hint, value: "", error: errors[name], isInput: false, isCheckboxGroup: true,
            options: choices.map { Option(value: $0.0, label: $0.1, selected: selected.contains($0.0)) })
    }
}
