import Foundation
import SGPSupport

/// The register list (`/gps`): the filter form and one row per GP, with every reason they are not cleared.
struct RegisterListPage: Sendable {
    struct Row: Sendable {
        var id: Int64
        var name: String
        var gmcNumber: String
        var kind: String
        var status: String
        var cleared: Bool
        /// Every reason the GP is not cleared today, joined for the row.
        var firstReason: String?
        var localities: String
    }

    var page: PageChrome
    var fields: [FormField]
    var rows: [Row]
    var total: Int
    var canManage: Bool
    /// "1 GP matches.", "12 GPs match." (a stored value: templates read stored properties).
    var matching: String
    var previousPage: String?
    var nextPage: String?

    /// The filter as the form shows it; its fields are the query's names.
    struct Query {
        var text: String?
        var status: String?
        var skill: String?
        var locality: String?
        var clearedOn: String?
        var notClearedOn: String?
        var expiringWithinDays: String?
    }

    static func filterForm(skills: [Skill], localities: [String]) -> FormDeclaration<Query> {
        FormDeclaration([
            .text("text", "Name, registration number or email", \.text),
            .choice("status", "Status", \.status, of: GP.Status.self, none: "Any"),
            .select("skill", "Skill", \.skill, choices: [("", "Any")] + skills.map { ($0.code, $0.name) }),
            .select("locality", "Locality", \.locality, choices: [("", "Any")] + localities.map { ($0, $0) }),
            .date("clearedOn", "Cleared to work on", \.clearedOn),
            .date("notClearedOn", "Not cleared to work on", \.notClearedOn),
            .text("expiringWithinDays", "Checks expiring within (days)", \.expiringWithinDays, type: "number"),
        ])
    }

    /// `query` is the request's query string read as a form; `linkBase` is it without `page=`.
    init(
        page: PageChrome, listing: Page<GPEntryView>, query: FormFields, skills: [Skill], localities: [String],
        errors: ValidationErrors, canManage: Bool, linkBase: String
    ) {
        self.page = page
        fields = Self.filterForm(skills: skills, localities: localities).rendered(
            current: Query(), posted: query, errors: errors)
        rows = listing.items.map {
            Row(
                id: $0.gp.id!, name: $0.gp.name, gmcNumber: $0.gp.registrationNumber, kind: $0.gp.kind.title,
                status: $0.gp.status.title, cleared: $0.clearance.cleared,
                firstReason: $0.clearance.reasons.isEmpty ? nil : $0.clearance.reasons.joined(separator: "; "),
                localities: $0.gp.localities.joined(separator: ", "))
        }
        total = listing.total
        self.canManage = canManage
        matching = listing.total == 1 ? "1 GP matches." : "\(listing.total) GPs match."
        previousPage = listing.page > 1 ? "/gps?\(linkBase)page=\(listing.page - 1)" : nil
        nextPage = listing.page * listing.perPage < listing.total ? "/gps?\(linkBase)page=\(listing.page + 1)" : nil
    }
}
