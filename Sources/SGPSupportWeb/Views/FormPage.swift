import SGPSupport

/// A page holding one declared form (`Templates/form.mustache`).
struct FormPage: Sendable {
    var page: PageChrome
    var heading: String
    var action: String
    var fields: [FormField]
    var submit: String
    var cancel: String
    /// True when a field is a file: the form then posts `multipart/form-data`.
    var multipart = false
}
