import Foundation
import SGPSupport

/// A GP's terms in words, as a practice reads them before it accepts ("Payment within 28 days ·
/// cancellation: under 1 day's notice 100 %; … · mileage 45p a mile").
enum TermsText {
    static func line(_ terms: GPTerms) -> String {
        let scale = terms.scale
        var parts = ["Payment within \(terms.paymentTermsDays) days"]
        parts.append(scale.steps.isEmpty ? "no cancellation fee" : "cancellation: " + lowercasedFirst(scale.text))
        parts.append(terms.mileagePencePerMile > 0 ? "mileage \(terms.mileagePencePerMile)p a mile" : "no mileage")
        if terms.limitedCompany { parts.append("through a limited company") }
        return parts.joined(separator: " · ")
    }

    static func lowercasedFirst(_ text: String) -> String { text.prefix(1).lowercased() + text.dropFirst() }
}

/// The GP's terms and pay details (`/terms`): what they are now, in words, and the two forms that
/// change them. `posted` and `errors` come back from whichever form was sent (`form`).
struct TermsPage: Sendable {
    struct Fact: Sendable {
        var label: String
        var value: String
    }

    enum PostedForm: Sendable { case terms, payDetails }

    var page: PageChrome
    var summary: [Fact]
    var termsFields: [FormField]
    var payFields: [FormField]

    init(
        page: PageChrome, terms: TermsView, payDetails: PayDetails, posted: FormFields? = nil, form: PostedForm = .terms,
        errors: ValidationErrors = ValidationErrors()
    ) {
        self.page = page
        let current = terms.terms
        summary = [
            Fact(label: "Session rate", value: current.sessionRatePence.map(Money.pounds) ?? "Not set"),
            Fact(label: "Hourly rate", value: current.hourlyRatePence.map(Money.pounds) ?? "Not set"),
            Fact(label: "Payment", value: "Within \(current.paymentTermsDays) days of the invoice"),
            Fact(
                label: "Mileage",
                value: current.mileagePencePerMile > 0 ? "\(current.mileagePencePerMile)p a mile" : "Not charged"),
            Fact(label: "Cancellation fees", value: current.scale.text),
            Fact(
                label: "NHS pension",
                value: current.limitedCompany
                    ? "Through a limited company: not pensionable on Form A, so invoices carry no pension contribution"
                    : "Pensionable: invoices carry the employer's contribution, and each has a Form A"),
        ]
        termsFields = TermsForm.declaration.rendered(
            current: TermsForm.current(current), posted: form == .terms ? posted : nil,
            errors: form == .terms ? errors : ValidationErrors())
        payFields = PayDetailsForm.declaration.rendered(
            current: PayDetailsForm.current(payDetails), posted: form == .payDetails ? posted : nil,
            errors: form == .payDetails ? errors : ValidationErrors())
    }
}

/// The GP's usual terms (`POST /terms`).
enum TermsForm {
    static var declaration: FormDeclaration<TermsInput> {
        FormDeclaration([
            .pounds(
                "sessionRate", "Session rate (£)", \.sessionRate,
                hint: "What you usually charge for a session. Enter 0 to remove it."),
            .pounds("hourlyRate", "Hourly rate (£)", \.hourlyRate, hint: "For sessions paid by the hour. Enter 0 to remove it."),
            .select(
                "paymentTermsDays", "Payment terms", \.paymentTermsText,
                choices: GPTerms.paymentTermsChoices.map { (String($0), "Within \($0) days of the invoice") },
                hint: "The due date printed on each invoice."),
            .number(
                "mileagePencePerMile", "Mileage (pence a mile)", \.mileagePencePerMile,
                hint: "HMRC's approved rate is \(GPTerms.defaultMileagePencePerMile)p a mile. Enter 0 for none."),
            .text(
                "cancellationScale", "Cancellation fees", \.cancellationScale,
                hint: "Notice in days and the share of the fee, like 1:100 3:75 7:20 — under 1 day's notice 100 %, "
                    + "under 3 days 75 %, under 7 days 20 %; more notice costs nothing."),
            .checkbox(
                "limitedCompany", "I work through a limited company", \.limitedCompany,
                hint: "Work through a limited company is not pensionable on Form A: its invoices carry no NHS pension "
                    + "contribution and have no Form A."),
        ])
    }

    static func current(_ terms: GPTerms) -> TermsInput {
        TermsInput(
            practiceId: terms.practiceId, sessionRate: terms.sessionRatePence.map { Double($0) / 100 },
            hourlyRate: terms.hourlyRatePence.map { Double($0) / 100 }, paymentTermsDays: terms.paymentTermsDays,
            mileagePencePerMile: terms.mileagePencePerMile, cancellationScale: terms.cancellationScale,
            limitedCompany: terms.limitedCompany)
    }
}

extension TermsInput {
    /// The payment terms as the select posts them; a value that is not a number reaches the domain
    /// as one it refuses with the field's own message.
    var paymentTermsText: String? {
        get { paymentTermsDays.map(String.init) }
        set { paymentTermsDays = newValue.map { Int($0) ?? FormDeclaration<TermsInput>.Field.unreadableNumber } }
    }
}

/// The GP's pay details (`POST /pay-details`): printed on their invoices and pension forms.
enum PayDetailsForm {
    static var declaration: FormDeclaration<PayDetailsInput> {
        FormDeclaration([
            .textarea("address", "Your address", \.address, hint: "Printed on your invoices as the address you invoice from."),
            .text(
                "niNumber", "National Insurance number", \.niNumber, hint: "2 letters, 6 digits and a letter, like AB123456C."),
            .date("dateOfBirth", "Date of birth", \.dateOfBirth, hint: "For your pension forms."),
            .text(
                "sdNumber", "NHS Pension Scheme (SD) number", \.sdNumber,
                hint: "8 digits: it starts the payment reference on Forms A and B."),
            .text("bankAccountName", "Name on the bank account", \.bankAccountName),
            .text("sortCode", "Sort code", \.sortCode, hint: "6 digits, like 12-34-56."),
            .text("accountNumber", "Account number", \.accountNumber, hint: "8 digits."),
            .pounds(
                "expectedAnnualPensionablePay", "Expected pensionable pay this scheme year (£)",
                \.expectedAnnualPensionablePay,
                hint: "From all your NHS work, April to March: it chooses your contribution rate on Form B. "
                    + "Enter 0 to have it estimated from your locum pay instead."),
        ])
    }

    static func current(_ details: PayDetails) -> PayDetailsInput {
        PayDetailsInput(
            address: details.address, niNumber: details.niNumber, dateOfBirth: details.dateOfBirth?.description,
            sdNumber: details.sdNumber, bankAccountName: details.bankAccountName,
            sortCode: details.sortCode.isEmpty ? "" : details.sortCodeText, accountNumber: details.accountNumber,
            expectedAnnualPensionablePay: details.expectedAnnualPensionablePence.map { Double($0) / 100 })
    }
}

/// A late cancellation or no-show as its record lists it.
enum LateCancellationText {
    static func line(_ listing: LateCancellationListing) -> String {
        let warning = listing.warning
        let session = "the session on \(listing.date.displayText) at \(listing.practiceName)"
        switch (warning.kind, warning.side) {
        case (.noShow, _):
            return "\(listing.gpName) did not attend \(session) (recorded \(DisplayDate.day(warning.recordedAt)))"
        case (.lateCancellation, .gp):
            let notice = warning.noticeDays.map { " with \($0) day\($0 == 1 ? "'s" : "s'") notice" } ?? ""
            return "\(listing.gpName) cancelled \(session)\(notice)" + (warning.reason.map { ": \($0)" } ?? "")
        case (.lateCancellation, .practice):
            let notice = warning.noticeDays.map { " with \($0) day\($0 == 1 ? "'s" : "s'") notice" } ?? ""
            return "\(listing.practiceName) cancelled \(listing.gpName)'s session on \(listing.date.displayText)\(notice)"
                + (warning.reason.map { ": \($0)" } ?? "")
        }
    }
}
