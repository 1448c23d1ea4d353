import Foundation
import Hummingbird
import SGPSupport

/// The evidence pages: a GP's log, an entry's form, the printable portfolio, the support team's
/// audit topics, and a practice's admission feedback.
struct EvidencePagesController {
    let database: AppDatabase
    let renderer: PageRenderer
    let api: EvidenceAPIController

    typealias Choice = FormField.Option

    struct EntryRow: Sendable {
        var id: Int64
        var title: String
        var kind: String
        var date: String
        var isDraft: Bool
        var practice: String?
        var shared: Bool
        var followUp: String?
    }

    struct TopicRow: Sendable {
        var id: Int64
        var title: String
        var criteria: String
        var closes: String?
        var joined: Int
        var completed: Int
        var myEntryId: Int64?
    }

    struct LogPage: Sendable {
        var page: PageChrome
        var gpId: Int64
        var heading: String
        var isOwner: Bool
        var yearLabel: String
        var yearStart: Int
        var years: [Choice]
        var kinds: [Choice]
        var entries: [EntryRow]
        var hasEntries: Bool
        var cpdHours: String
        var cpdTarget: String
        var cpdPercent: Int
        var followUpsDue: [EntryRow]
        var hasFollowUps: Bool
        var addKinds: [Choice]
        var topics: [TopicRow]
        var hasTopics: Bool
    }

    struct DetailRow: Sendable {
        var label: String
        var value: String
    }

    struct EntryPage: Sendable {
        var page: PageChrome
        var heading: String
        /// The kind the form posts back.
        var kind: String
        var kindTitle: String
        var guidance: String
        var action: String
        var fields: [FormField]
        var canEdit: Bool
        var isDraft: Bool
        var deleteAction: String?
        var details: [DetailRow]
        var hasDetails: Bool
        var cardLink: String?
        var backLink: String
    }

    struct TeamPage: Sendable {
        var page: PageChrome
        var organisationId: Int64
        var organisationName: String
        var topics: [TopicRow]
        var hasTopics: Bool
        var topicFields: [FormField]
        var targetField: FormField
        var canSetTarget: Bool
        var counts: [DetailRow]
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/gps/:id/evidence", use: log)
        router.get("/gps/:id/evidence/new", use: newEntry)
        router.post("/gps/:id/evidence", use: createEntry)
        router.get("/evidence/:id", use: showEntry)
        router.post("/evidence/:id", use: updateEntry)
        router.post("/evidence/:id/delete", use: deleteEntry)
        router.get("/gps/:id/portfolio/:year", use: portfolio)
        router.get("/organisations/:id/evidence", use: team)
        router.post("/organisations/:id/audit-topics", use: publishTopic)
        router.post("/organisations/:id/cpd-target", use: setTarget)
        router.post("/audit-topics/:id/join", use: joinTopic)
        router.get("/practices/:id/admission-feedback", use: admissionForm)
        router.post("/practices/:id/admission-feedback", use: sendAdmission)
    }

    // MARK: The log

    @Sendable func log(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try context.pathID()
        let filter = try EvidenceAPIController.filter(request)
        let log = try await database.evidenceLog(gpId: gpId, filter: filter, by: principal)
        let topics =
            log.isOwner ? try await database.auditTopics(organisationId: log.gp.organisationId, by: principal) : []
        let current = AppraisalYear(containing: database.clock.today, month: log.gp.appraisalYearMonth)
        let years = (0..<4).map { current.startYear - $0 }.map {
            Choice(
                value: String($0), label: AppraisalYear(startYear: $0, month: current.month).label, selected: filter.year == $0)
        }
        let model = LogPage(
            page: PageChrome(
                title: "Evidence log", context: context, path: "/gps/\(gpId)/evidence", notice: Notice.from(request)),
            gpId: gpId, heading: log.isOwner ? "My evidence log" : "Evidence \(log.gp.name) shares with you",
            isOwner: log.isOwner, yearLabel: log.year.label, yearStart: log.year.startYear,
            years: [Choice(value: "", label: "Every year", selected: filter.year == nil)] + years,
            kinds: [Choice(value: "", label: "Every kind", selected: filter.kind == nil)]
                + EvidenceKind.allCases.map { Choice(value: $0.rawValue, label: $0.title, selected: filter.kind == $0) },
            entries: log.entries.map { Self.row($0, log.practiceNames) }, hasEntries: !log.entries.isEmpty,
            cpdHours: Self.hours(log.cpdHours), cpdTarget: Self.hours(log.cpdTarget),
            cpdPercent: log.cpdTarget > 0 ? min(100, Int((log.cpdHours / log.cpdTarget * 100).rounded())) : 0,
            followUpsDue: log.followUpsDue.map { Self.row($0, log.practiceNames) }, hasFollowUps: !log.followUpsDue.isEmpty,
            addKinds: EvidenceKind.allCases.filter { $0 != .feedbackReflection }.map {
                Choice(value: $0.rawValue, label: $0.title, selected: false)
            },
            topics: topics.map(Self.topicRow), hasTopics: !topics.isEmpty)
        return renderer.render("evidence-log", model)
    }

    static func row(_ entry: EvidenceEntry, _ practices: [Int64: String]) -> EntryRow {
        EntryRow(
            id: entry.id!, title: entry.title, kind: entry.kind.title, date: entry.date.displayText,
            isDraft: entry.status == .draft, practice: entry.practiceId.flatMap { practices[$0] }, shared: entry.sharedWithMentor,
            followUp: entry.followUpOn?.displayText)
    }

    static func topicRow(_ listing: AuditTopicListing) -> TopicRow {
        TopicRow(
            id: listing.topic.id!, title: listing.topic.title, criteria: listing.topic.criteria,
            closes: listing.topic.closesOn?.displayText, joined: listing.joined, completed: listing.completed,
            myEntryId: listing.myEntryId)
    }

    static func hours(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    // MARK: An entry

    @Sendable func newEntry(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try context.pathID()
        try database.requireEvidenceAuthor(gpId: gpId, by: principal)
        guard let kind = request.uri.queryParameters.get("kind").flatMap(EvidenceKind.init(rawValue:)),
            kind != .feedbackReflection
        else {
            return .seeOther("/gps/\(gpId)/evidence")
        }
        return try await renderForm(kind: kind, entry: nil, gpId: gpId, context: context)
    }

    @Sendable func createEntry(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try context.pathID()
        let form = try await request.formFields(context: context)
        guard let kind = EvidenceKind(rawValue: form.text("kind")), kind != .feedbackReflection else {
            try database.requireEvidenceAuthor(gpId: gpId, by: principal)
            return .seeOther("/gps/\(gpId)/evidence")
        }
        do {
            let entry = try await database.createEvidenceEntry(
                gpId: gpId, Self.input(form, kind: kind, entry: nil), by: principal)
            return .seeOther("/evidence/\(entry.id!)?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderForm(kind: kind, entry: nil, gpId: gpId, context: context, form: form, errors: errors)
        }
    }

    @Sendable func showEntry(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let entry = try await database.evidenceEntry(id: try context.pathID(), by: principal)
        return try await renderForm(kind: entry.kind, entry: entry, gpId: entry.gpId, context: context, request: request)
    }

    @Sendable func updateEntry(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let entry = try await database.evidenceEntry(id: try context.pathID(), by: principal)
        let form = try await request.formFields(context: context)
        do {
            _ = try await database.updateEvidenceEntry(
                id: entry.id!, Self.input(form, kind: entry.kind, entry: entry), by: principal)
            return .seeOther("/evidence/\(entry.id!)?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderForm(
                kind: entry.kind, entry: entry, gpId: entry.gpId, context: context, form: form, errors: errors)
        }
    }

    @Sendable func deleteEntry(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let entry = try await database.evidenceEntry(id: try context.pathID(), by: principal)
        try await database.deleteEvidenceEntry(id: entry.id!, by: principal)
        return .seeOther("/gps/\(entry.gpId)/evidence?done=deleted")
    }

    /// The detail fields the GP writes: a practice's own words on an admission stay as it sent them.
    static func editableFields(_ kind: EvidenceKind, entry: EvidenceEntry?) -> [DetailField] {
        kind.fields.filter { entry?.sentByPracticeId == nil || !["feedback", "admittedOn"].contains($0.key) }
    }

    static func input(_ form: FormFields, kind: EvidenceKind, entry: EvidenceEntry?) -> EvidenceInput {
        var input = EvidenceInput()
        input.kind = kind.rawValue
        input.title = form.text("title")
        input.date = form.text("date")
        input.details = Dictionary(
            uniqueKeysWithValues: editableFields(kind, entry: entry).map {
                ($0.key, DetailValue.text(form.text("details.\($0.key)")))
            })
        // A reflection's practice is its card's.
        if kind != .feedbackReflection {
            input.practiceId = Int64(form.text("practiceId")).map(LinkChange.set) ?? .clear
        }
        input.tags = form.text("tags").split(separator: ",").map(String.init)
        input.followUpOn = form.text("followUpOn")
        input.sharedWithMentor = form["sharedWithMentor"] == "true"
        input.draft = form["action"] == "draft"
        return input
    }

    private func renderForm(
        kind: EvidenceKind, entry: EvidenceEntry?, gpId: Int64, context: AppRequestContext, request: Request? = nil,
        form: FormFields? = nil, errors: ValidationErrors = ValidationErrors()
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let canEdit = database.mayAuthorEvidence(gpId: gpId, by: principal)
        func value(_ name: String, _ stored: String?) -> String? { form.map { $0.text(name) } ?? stored }
        var fields: [FormField] = []
        var details: [DetailRow] = []
        if canEdit {
            fields.append(.text("title", "Title", value: value("title", entry?.title), errors: errors))
            fields.append(
                .text(
                    "date", "Date", value: value("date", (entry?.date ?? database.clock.today).description), errors: errors,
                    type: "date"))
            for field in Self.editableFields(kind, entry: entry) {
                let name = "details.\(field.key)"
                let current = value(name, entry?.detail(field.key))
                let label = field.required ? field.label : "\(field.label) (optional)"
                switch field.shape {
                case .paragraph:
                    fields.append(.textarea(name, label, value: current, errors: errors, hint: field.hint))
                case .day:
                    fields.append(.text(name, label, value: current, errors: errors, hint: field.hint, type: "date"))
                case .line, .count, .hours:
                    fields.append(.text(name, label, value: current, errors: errors, hint: field.hint))
                }
            }
            if kind != .feedbackReflection {
                let practices = try await database.evidencePracticeChoices(gpId: gpId, by: principal)
                fields.append(
                    .select(
                        "practiceId", "Practice", value: value("practiceId", entry?.practiceId.map(String.init)),
                        choices: [("", "None")] + practices.map { (String($0.id), $0.name) }, errors: errors))
            }
            fields.append(
                .text(
                    "tags", "Tags (optional)", value: value("tags", entry?.tags.joined(separator: ", ")), errors: errors,
                    hint: "Separate tags with commas, like dermatology, children"))
            fields.append(
                .text(
                    "followUpOn", "Follow-up date (optional)", value: value("followUpOn", entry?.followUpOn?.description),
                    errors: errors, hint: "We email you a reminder on the day", type: "date"))
            fields.append(
                .checkbox(
                    "sharedWithMentor", "Share with my mentor",
                    checked: form.map { $0["sharedWithMentor"] == "true" } ?? entry?.sharedWithMentor ?? false, errors: errors))
        }
        if let entry {
            details = entry.kind.fields.compactMap { field in
                entry.detail(field.key).map { DetailRow(label: field.label, value: $0) }
            }
        }
        if canEdit {
            // The owner edits in the form; only a practice's own words are shown above it, as sent.
            details =
                entry?.sentByPracticeId == nil ? [] : details.filter { ["The feedback", "Date of admission"].contains($0.label) }
        }
        let isNew = entry == nil
        let model = EntryPage(
            page: PageChrome(
                title: isNew ? "New evidence" : entry!.title, context: context,
                path: "/gps/\(gpId)/evidence", errors: errors, notice: request.flatMap(Notice.from)),
            heading: isNew ? "New entry: \(kind.title)" : entry!.title, kind: kind.rawValue, kindTitle: kind.title,
            guidance: kind.guidance,
            action: isNew ? "/gps/\(gpId)/evidence" : "/evidence/\(entry!.id!)", fields: fields, canEdit: canEdit,
            isDraft: entry?.status == .draft, deleteAction: canEdit ? entry.map { "/evidence/\($0.id!)/delete" } : nil,
            details: details, hasDetails: !details.isEmpty,
            cardLink: entry?.feedbackCardId.map { "/feedback/cards/\($0)" },
            backLink: principal.reach.managesPractices ? "/feedback" : "/gps/\(gpId)/evidence")
        return renderer.render("evidence-entry", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    // MARK: The portfolio

    @Sendable func portfolio(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let year = context.parameters.get("year", as: Int.self) else {
            throw DomainError.notFound("Give the appraisal year as the year it starts, like /portfolio/2026")
        }
        let portfolio = try await database.portfolio(gpId: try context.pathID(), year: year, by: principal)
        return renderer.render(
            "portfolio",
            PortfolioPage(
                page: PageChrome(
                    title: "Appraisal portfolio \(portfolio.yearLabel)", context: context,
                    path: "/gps/\(portfolio.gpId)/evidence"),
                portfolio: portfolio, hours: Self.hours(portfolio.scopeOfWork.hours), cpdHours: Self.hours(portfolio.cpd.hours),
                cpdTarget: Self.hours(portfolio.cpd.target), from: portfolio.from.displayText, to: portfolio.to.displayText,
                generatedOn: portfolio.generatedOn.displayText,
                practices: portfolio.scopeOfWork.practices.map {
                    PortfolioPage.WorkRow(label: "\($0.name) (\($0.odsCode))", sessions: $0.sessions, hours: Self.hours($0.hours))
                },
                sessionKinds: portfolio.scopeOfWork.sessionKinds.map {
                    PortfolioPage.WorkRow(label: $0.title, sessions: $0.sessions, hours: Self.hours($0.hours))
                },
                sections: [
                    ("Quality improvement activity", portfolio.qualityImprovement),
                    ("Significant events", portfolio.significantEvents),
                    ("Learning needs and how they were met", portfolio.learningNeeds),
                    ("Other evidence", portfolio.other),
                ].map { PortfolioPage.Section(title: $0.0, entries: $0.1.map(PortfolioPage.entry), isEmpty: $0.1.isEmpty) },
                cpdEntries: portfolio.cpd.entries.map(PortfolioPage.entry),
                feedbackEntries: portfolio.feedback.entries.map(PortfolioPage.entry),
                cards: portfolio.feedback.cards.map {
                    PortfolioPage.CardBlock(
                        practice: $0.practice, date: $0.sessionDate.displayText,
                        answers: $0.answers.map {
                            DetailRow(
                                label: $0.box,
                                value: [$0.ratingText, $0.comment ?? ""].filter { !$0.isEmpty }.joined(separator: ". "))
                        }, comment: $0.comment, reflection: $0.reflection)
                },
                summary: portfolio.summary.map { DetailRow(label: $0.measure, value: Self.hours($0.count)) },
                previousYear: "/gps/\(portfolio.gpId)/portfolio/\(portfolio.year - 1)",
                nextYear: "/gps/\(portfolio.gpId)/portfolio/\(portfolio.year + 1)",
                jsonLink: "/api/v1/gps/\(portfolio.gpId)/portfolio?year=\(portfolio.year)"))
    }

    struct PortfolioPage: Sendable {
        struct WorkRow: Sendable {
            var label: String
            var sessions: Int
            var hours: String
        }

        struct EntryBlock: Sendable {
            var title: String
            var kind: String
            var date: String
            var practice: String?
            var details: [DetailRow]
            var tags: String?
        }

        struct Section: Sendable {
            var title: String
            var entries: [EntryBlock]
            var isEmpty: Bool
        }

        struct CardBlock: Sendable {
            var practice: String
            var date: String
            var answers: [DetailRow]
            var comment: String?
            var reflection: String
        }

        var page: PageChrome
        var portfolio: Portfolio
        var hours: String
        var cpdHours: String
        var cpdTarget: String
        var from: String
        var to: String
        var generatedOn: String
        var practices: [WorkRow]
        var sessionKinds: [WorkRow]
        var sections: [Section]
        var cpdEntries: [EntryBlock]
        var feedbackEntries: [EntryBlock]
        var cards: [CardBlock]
        var summary: [DetailRow]
        var previousYear: String
        var nextYear: String
        var jsonLink: String

        static func entry(_ entry: Portfolio.Entry) -> EntryBlock {
            EntryBlock(
                title: entry.title, kind: entry.kindTitle, date: entry.date.displayText, practice: entry.practice,
                details: entry.details.map { DetailRow(label: $0.label, value: $0.value) },
                tags: entry.tags.isEmpty ? nil : entry.tags.joined(separator: ", "))
        }
    }

    // MARK: The support team's page

    @Sendable func team(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderTeam(context: context, notice: Notice.from(request))
    }

    private func renderTeam(
        context: AppRequestContext, form: FormFields? = nil, errors: ValidationErrors = ValidationErrors(),
        notice: String? = nil
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try context.pathID()
        let evidence = try await database.organisationEvidence(organisationId: organisationId, by: principal)
        let model = TeamPage(
            page: PageChrome(
                title: "Evidence and audits", context: context, path: "/organisations/\(organisationId)", errors: errors,
                notice: notice),
            organisationId: organisationId, organisationName: evidence.organisation.name,
            topics: evidence.topics.map(Self.topicRow), hasTopics: !evidence.topics.isEmpty,
            topicFields: [
                .text("title", "Topic", value: form?.text("title"), errors: errors),
                .textarea(
                    "criteria", "Criteria and standard", value: form?.text("criteria"), errors: errors,
                    hint: "What each GP measures, and the standard, like “FeverPAIN score recorded: 90%”"),
                .text(
                    "closesOn", "Closing date (optional)", value: form?.text("closesOn"), errors: errors, type: "date"),
            ],
            targetField: .text(
                "cpdTargetHours", "CPD hours a year", value: form?.text("cpdTargetHours") ?? Self.hours(evidence.cpdTarget),
                errors: errors),
            canSetTarget: principal.may(.manageOrganisation(organisationId: organisationId)),
            counts: evidence.countsByKind.map {
                DetailRow(label: EvidenceKind(rawValue: $0.label)?.title ?? $0.label, value: String($0.count))
            })
        return renderer.render("organisation-evidence", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func publishTopic(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try context.pathID()
        let form = try await request.formFields(context: context)
        do {
            _ = try await database.publishAuditTopic(
                organisationId: organisationId,
                AuditTopicInput(title: form["title"], criteria: form["criteria"], closesOn: form["closesOn"]), by: principal)
            return .seeOther("/organisations/\(organisationId)/evidence?done=published")
        } catch DomainError.validationFailed(let errors) {
            return try await renderTeam(context: context, form: form, errors: errors)
        }
    }

    @Sendable func setTarget(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try context.pathID()
        let form = try await request.formFields(context: context)
        do {
            try await database.setCPDTarget(
                organisationId: organisationId, hours: Double(form.text("cpdTargetHours")), by: principal)
            return .seeOther("/organisations/\(organisationId)/evidence?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderTeam(context: context, form: form, errors: errors)
        }
    }

    @Sendable func joinTopic(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let entry = try await database.joinAuditTopic(id: try context.pathID(), by: principal)
        return .seeOther("/evidence/\(entry.id!)?done=joined")
    }

    // MARK: Admission feedback from a practice

    @Sendable func admissionForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderAdmission(context: context)
    }

    @Sendable func sendAdmission(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practiceId = try context.pathID()
        let form = try await request.formFields(context: context)
        do {
            let outcome = try await database.sendAdmissionFeedback(
                practiceId: practiceId,
                AdmissionFeedbackInput(
                    gpId: Int64(form.text("gpId")), bookingId: nil, admittedOn: form["admittedOn"], feedback: form["feedback"]),
                by: principal, links: api.links)
            await api.mailer.deliver(outcome.notifications, logger: context.logger)
            return .seeOther("/evidence/\(outcome.value.id!)?done=admission-sent")
        } catch DomainError.validationFailed(let errors) {
            return try await renderAdmission(context: context, form: form, errors: errors)
        }
    }

    private func renderAdmission(
        context: AppRequestContext, form: FormFields? = nil, errors: ValidationErrors = ValidationErrors()
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practiceId = try context.pathID()
        let colleagues = try await database.practiceColleagues(practiceId: practiceId, by: principal)
        let model = FormPage(
            page: PageChrome(
                title: "Feedback on a hospital admission", context: context, path: "/practices/\(practiceId)", errors: errors),
            heading: "Feedback on a hospital admission", action: "/practices/\(practiceId)/admission-feedback",
            fields: [
                .select(
                    "gpId", "GP who saw the patient", value: form?.text("gpId"),
                    choices: [("", "Choose a GP")]
                        + colleagues.map { (String($0.gpId), "\($0.name) (last worked \($0.lastWorkedOn.displayText))") },
                    errors: errors),
                .text(
                    "admittedOn", "Date of admission (optional)", value: form?.text("admittedOn"), errors: errors, type: "date"),
                .textarea(
                    "feedback", "Feedback", value: form?.text("feedback"), errors: errors,
                    hint:
                        "What the admission showed, constructively. Never identify the patient: no name, date of birth or NHS number."
                ),
            ],
            submit: "Send to the GP", cancel: "/practices/\(practiceId)")
        return renderer.render("form", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}
