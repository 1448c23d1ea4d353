import Testing

@testable import SGPSupportWeb

@Suite struct FormFieldsTests {
    @Test func decodesFormsAndRepeatedFields() {
        let form = FormFields(urlEncoded: "name=Dr+Ann%C3%A9e+Smith&skills=a&skills=b&empty=&flag")
        #expect(form["name"] == "Dr Année Smith")
        #expect(form.all("skills") == ["a", "b"])
        #expect(form["empty"] == "")
        #expect(form["flag"] == "")
        #expect(form["missing"] == nil)
    }

    @Test func malformedEscapesAreKeptNotFatal() {
        let form = FormFields(urlEncoded: "email=%zz%&password=100%")
        #expect(form["email"] == "%zz%")
        #expect(form["password"] == "100%")
    }
}
