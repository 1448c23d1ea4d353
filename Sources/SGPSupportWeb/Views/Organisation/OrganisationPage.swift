import Foundation
import SGPSupport

/// The support team's overview of an organisation (`/organisations/{id}`): the register by status,
/// its practices, and the settings its liaison officer keeps (checks required before work, skills).
struct OrganisationPage: Sendable {
    struct StatusCount: Sendable {
        var status: String
        var count: Int
    }

    struct CheckTypeRow: Sendable {
        var name: String
        var required: String
    }

    var page: PageChrome
    var id: Int64
    var name: String
    var code: String
    var region: String?
    var statuses: [StatusCount]
    /// "40 practices in Ashby Vale, Brookmere and Cotton End".
    var practicesText: String
    var canManage: Bool
    /// The settings form (for those who manage the organisation) or the list as it stands.
    var checkTypeFields: [FormField]
    var checkTypes: [CheckTypeRow]
    var skills: [String]
    var skillFields: [FormField]

    init(
        page: PageChrome, organisation: Organisation, overview: OrganisationOverview, checkTypes: [CheckType],
        skills: [Skill], canManage: Bool, postedSkill: FormFields? = nil, errors: ValidationErrors = ValidationErrors()
    ) {
        self.page = page
        id = organisation.id!
        name = organisation.name
        code = organisation.code
        region = organisation.region
        statuses = GP.Status.allCases.map { StatusCount(status: $0.title, count: overview.gpsByStatus[$0] ?? 0) }
        let count = overview.practices == 1 ? "1 practice" : "\(overview.practices) practices"
        practicesText = overview.localities.isEmpty ? count : "\(count) in \(Self.list(overview.localities))"
        self.canManage = canManage
        checkTypeFields = OrganisationForms.checkTypes(checkTypes).rendered(
            current: CheckTypesInput(required: checkTypes.filter(\.requiredBeforeWork).map(\.code)), errors: errors)
        self.checkTypes = checkTypes.map {
            CheckTypeRow(name: $0.name, required: $0.requiredBeforeWork ? "required" : "not required")
        }
        self.skills = skills.map(\.name)
        skillFields = OrganisationForms.skill.rendered(current: SkillInput(), posted: postedSkill, errors: errors)
    }

    /// "A", "A and B", "A, B and C".
    static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }
}

/// The check types required before work, as the settings form posts them (the ticked codes).
struct CheckTypesInput {
    var required: [String]?
}

/// A new skill as its form posts it.
struct SkillInput {
    var code: String?
    var name: String?
}

/// The organisation's settings forms, each declared once.
enum OrganisationForms {
    static func checkTypes(_ types: [CheckType]) -> FormDeclaration<CheckTypesInput> {
        FormDeclaration([
            .checkboxes(
                "required", "A GP is cleared to work only when each ticked check is verified and in date", \.required,
                choices: types.map { ($0.code, $0.name) })
        ])
    }

    static var skill: FormDeclaration<SkillInput> {
        FormDeclaration([
            .text("code", "Code", \.code, hint: "Lower-case letters, digits and hyphens, like ecg-reading"),
            .text("name", "Name", \.name, hint: "As GPs and practices will read it, like ECG reading"),
        ])
    }
}
