import Foundation
import SGPSupport

/// Posting a session a practice cannot fill (`/sessions/new`): the domain's `SessionInput`, declared once.
enum SessionForm {
    static func declaration(practices: [Practice], skills: [Skill]) -> FormDeclaration<SessionInput> {
        FormDeclaration([
            .select("practiceId", "Practice", \.practiceText, choices: practices.map { (String($0.id!), $0.name) }),
            .date("date", "Date", \.date, hint: "YYYY-MM-DD"),
            .text("start", "Start time", \.start, hint: "24-hour clock, like 08:30", type: "time"),
            .text("end", "End time", \.end, hint: "Like 12:30", type: "time"),
            .choice("kind", "Kind of session", \.kind, of: ClinicalSession.Kind.self),
            .choice(
                "profession", "Who the session is for", \.profession, of: GP.Profession.self,
                hint: "Only people of this profession are offered it."),
            .checkboxes("requiredSkills", "Skills needed", \.requiredSkills, choices: skills.map { ($0.code, $0.name) }),
            .pounds("rate", "Rate (£)", \.rate),
            .choice("rateUnit", "The rate is", \.rateUnit, of: ClinicalSession.RateUnit.self),
            .textarea("notes", "Notes for whoever takes it", \.notes),
            .number("repeatWeeks", "Repeat weekly for (weeks)", \.repeatWeeks, hint: "1 posts just this date"),
        ])
    }

    /// What a new session starts as: the first practice, a surgery, priced per session, posted once.
    static func blank(practices: [Practice]) -> SessionInput {
        var input = SessionInput()
        input.practiceId = practices.first?.id
        input.kind = ClinicalSession.Kind.surgery.rawValue
        input.profession = GP.Profession.gp.rawValue
        input.rateUnit = ClinicalSession.RateUnit.session.rawValue
        input.repeatWeeks = 1
        return input
    }

    static func page(
        chrome: PageChrome, declaration: FormDeclaration<SessionInput>, blank: SessionInput, posted: FormFields?,
        errors: ValidationErrors
    ) -> FormPage {
        FormPage(
            page: chrome, heading: "Post a session you cannot fill", action: "/sessions/new",
            fields: declaration.rendered(current: blank, posted: posted, errors: errors), submit: "Post the session",
            cancel: "/sessions")
    }
}

extension SessionInput {
    /// The practice as the form's choice holds it.
    var practiceText: String? {
        get { practiceId.map(String.init) }
        set { practiceId = newValue.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } }
    }
}
