import Foundation
import SGPSupport

/// A form declared once: each field says how it is shown and where its value goes in the domain's
/// input, so the fields a page renders and the input its post decodes come from the same list and
/// cannot drift apart (a field shown but never read, or read under another name).
///
/// Hand-written rather than Hummingbird's `URLEncodedFormDecoder`: a browser sends a group of
/// checkboxes as repeated `name=` pairs (the decoder wants `name[]=`), and a number typed as "six"
/// must reach the domain as a value it refuses with the field's own message, not fail the whole body.
struct FormDeclaration<Input> {
    struct Field {
        var name: String
        /// The field as shown: what was posted (kept after an error) or, before any post, the current value.
        /// Nil for a field read but not shown (`formerName`).
        var render: (_ shown: Shown, _ errors: ValidationErrors) -> FormField?
        var read: (_ posted: FormFields, _ input: inout Input) -> Void
    }

    enum Shown {
        case current(Input)
        case posted(FormFields)
    }

    var fields: [Field]

    /// Fields a person may not change are left out with `nil` (`full ? .text(…) : nil`).
    init(_ fields: [Field?]) {
        self.fields = fields.compactMap { $0 }
    }

    /// The fields as a page shows them: the current values, or what was posted with its errors.
    func rendered(current: Input, posted: FormFields? = nil, errors: ValidationErrors = ValidationErrors()) -> [FormField] {
        let shown: Shown = posted.map { .posted($0) } ?? .current(current)
        return fields.compactMap { $0.render(shown, errors) }
    }

    /// The domain input the post says, starting from `start` (fields not in the form stay as they are there).
    func decode(_ posted: FormFields, into start: Input) -> Input {
        var input = start
        for field in fields { field.read(posted, &input) }
        return input
    }
}

extension FormDeclaration.Field {
    /// A value a number field could not read: outside every range the domain accepts, so the domain
    /// answers with that field's own message ("Enter a number from 1 to 10").
    static var unreadableNumber: Int { -1 }

    private static func shownText(
        _ shown: FormDeclaration.Shown, _ name: String, current: (Input) -> String?
    ) -> String? {
        switch shown {
        case .current(let input): current(input)
        case .posted(let form): form.text(name)
        }
    }

    static func text(
        _ name: String, _ label: String, _ keyPath: WritableKeyPath<Input, String?>, hint: String? = nil,
        type: String = "text", autocomplete: String? = nil
    ) -> Self {
        nonisolated(unsafe) let keyPath = keyPath
        return Self(
            name: name,
            render: { shown, errors in
                .text(
                    name, label, value: shownText(shown, name) { $0[keyPath: keyPath] }, errors: errors, hint: hint,
                    type: type, autocomplete: autocomplete)
            },
            read: { form, input in input[keyPath: keyPath] = form[name] })
    }

    /// The name a field had before, still read from clients that post it (and not shown): it fills
    /// the value only when the current name was not sent.
    static func formerName(_ name: String, of current: String, _ keyPath: WritableKeyPath<Input, String?>) -> Self {
        nonisolated(unsafe) let keyPath = keyPath
        return Self(
            name: name, render: { _, _ in nil },
            read: { form, input in
                if form[current] == nil, let value = form[name] { input[keyPath: keyPath] = value }
            })
    }

    /// A date, chosen with the browser's date picker (shown in the person's own format; it posts
    /// YYYY-MM-DD, which is what the domain reads).
    static func date(_ name: String, _ label: String, _ keyPath: WritableKeyPath<Input, String?>, hint: String? = nil)
        -> Self
    {
        .text(name, label, keyPath, hint: hint, type: "date")
    }

    static func textarea(_ name: String, _ label: String, _ keyPath: WritableKeyPath<Input, String?>, hint: String? = nil)
        -> Self
    {
        nonisolated(unsafe) let keyPath = keyPath
        return Self(
            name: name,
            render: { shown, errors in
                .textarea(name, label, value: shownText(shown, name) { $0[keyPath: keyPath] }, errors: errors, hint: hint)
            },
            read: { form, input in input[keyPath: keyPath] = form[name] })
    }

    /// A typed box whose text is read into a value: left empty it means none; text that does not read
    /// becomes `unreadable`, a value the domain refuses with the field's own message.
    private static func typed<Value>(
        _ name: String, _ label: String, _ keyPath: WritableKeyPath<Input, Value?>, hint: String?, type: String,
        shown: @escaping (Value) -> String, parse: @escaping (String) -> Value?, unreadable: Value
    ) -> Self {
        nonisolated(unsafe) let keyPath = keyPath
        return Self(
            name: name,
            render: { state, errors in
                .text(
                    name, label, value: shownText(state, name) { $0[keyPath: keyPath].map(shown) }, errors: errors,
                    hint: hint, type: type)
            },
            read: { form, input in
                let text = form.text(name)
                input[keyPath: keyPath] = text.isEmpty ? nil : parse(text) ?? unreadable
            })
    }

    /// A whole number; left empty it means none.
    static func number(_ name: String, _ label: String, _ keyPath: WritableKeyPath<Input, Int?>, hint: String? = nil)
        -> Self
    {
        typed(
            name, label, keyPath, hint: hint, type: "number", shown: String.init, parse: { Int($0) },
            unreadable: unreadableNumber)
    }

    /// An amount in pounds ("£450" or "450.00"); left empty it means none.
    static func pounds(_ name: String, _ label: String, _ keyPath: WritableKeyPath<Input, Double?>, hint: String? = nil)
        -> Self
    {
        typed(
            name, label, keyPath, hint: hint, type: "text", shown: { String(format: "%.2f", $0) },
            parse: { Double($0.replacingOccurrences(of: "£", with: "").replacingOccurrences(of: ",", with: "")) },
            unreadable: Double(unreadableNumber))
    }

    /// One choice from a list of (code, label).
    static func select(
        _ name: String, _ label: String, _ keyPath: WritableKeyPath<Input, String?>, choices: [(String, String)],
        hint: String? = nil
    ) -> Self {
        nonisolated(unsafe) let keyPath = keyPath
        return Self(
            name: name,
            render: { shown, errors in
                .select(
                    name, label, value: shownText(shown, name) { $0[keyPath: keyPath] }, choices: choices, errors: errors,
                    hint: hint)
            },
            read: { form, input in input[keyPath: keyPath] = form[name] })
    }

    /// One of a domain enum's cases, offered by their titles; `none` adds a first "no choice" entry.
    static func choice<Choice: Labelled>(
        _ name: String, _ label: String, _ keyPath: WritableKeyPath<Input, String?>, of: Choice.Type,
        none: String? = nil, hint: String? = nil
    ) -> Self {
        .select(
            name, label, keyPath, choices: (none.map { [("", $0)] } ?? []) + Choice.choices.map { ($0.code, $0.title) },
            hint: hint)
    }

    /// A yes/no box: unticked boxes are not posted, so absent means no.
    static func checkbox(_ name: String, _ label: String, _ keyPath: WritableKeyPath<Input, Bool?>, hint: String? = nil)
        -> Self
    {
        nonisolated(unsafe) let keyPath = keyPath
        return Self(
            name: name,
            render: { shown, errors in
                let checked: Bool =
                    switch shown {
                    case .current(let input): input[keyPath: keyPath] ?? false
                    case .posted(let form): form[name] == "true"
                    }
                return .checkbox(name, label, checked: checked, errors: errors, hint: hint)
            },
            read: { form, input in input[keyPath: keyPath] = form[name] == "true" })
    }

    /// Any number of choices; none ticked means an empty list.
    static func checkboxes(
        _ name: String, _ label: String, _ keyPath: WritableKeyPath<Input, [String]?>, choices: [(String, String)],
        hint: String? = nil
    ) -> Self {
        nonisolated(unsafe) let keyPath = keyPath
        return Self(
            name: name,
            render: { shown, errors in
                let selected: [String] =
                    switch shown {
                    case .current(let input): input[keyPath: keyPath] ?? []
                    case .posted(let form): form.all(name)
                    }
                return .checkboxes(name, label, selected: selected, choices: choices, errors: errors, hint: hint)
            },
            read: { form, input in input[keyPath: keyPath] = form.all(name) })
    }
}
