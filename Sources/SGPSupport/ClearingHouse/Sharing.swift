import Foundation
import GRDB

/// An agreement between two organisations that lets each one's GPs see and take the other's sessions.
public struct SharingAgreement: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Status: String, Codable, Sendable {
        case proposed, active, ended
    }

    public var id: Int64?
    public var organisationId: Int64
    public var partnerOrganisationId: Int64
    public var status: Status
    public var proposedAt: Date
    public var acceptedAt: Date?
    public var endedAt: Date?

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension AppDatabase {
    /// The liaison officer proposes sharing with a partner organisation.
    public func proposeSharing(partnerOrganisationId: Int64, by principal: Principal) async throws -> SharingAgreement {
        let now = clock.now()
        guard let organisationId = principal.organisationIds(as: .liaisonOfficer).first else {
            throw DomainError.forbidden("Only a liaison officer can propose a sharing agreement")
        }
        return try await write { db in
            guard partnerOrganisationId != organisationId, try Organisation.fetchOne(db, id: partnerOrganisationId) != nil else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "partnerOrganisationId", message: "Choose another organisation to share with"))
            }
            let existing =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM sharingAgreement WHERE status IN ('proposed', 'active')
                        AND ((organisationId = ? AND partnerOrganisationId = ?) OR (organisationId = ? AND partnerOrganisationId = ?))
                        """,
                    arguments: [organisationId, partnerOrganisationId, partnerOrganisationId, organisationId]) ?? 0
            if existing > 0 {
                throw DomainError.conflict("There is already an agreement with that organisation, proposed or active")
            }
            var agreement = SharingAgreement(
                id: nil, organisationId: organisationId, partnerOrganisationId: partnerOrganisationId, status: .proposed,
                proposedAt: now)
            try agreement.insert(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "sharing-agreement", entityId: agreement.id, action: "propose")
            return agreement
        }
    }

    /// The partner's liaison officer accepts; from then on each side's GPs see the other's sessions.
    public func acceptSharing(id: Int64, by principal: Principal) async throws -> SharingAgreement {
        try await changeSharing(id: id, by: principal, action: "accept") { agreement, now in
            guard principal.organisationIds(as: .liaisonOfficer).contains(agreement.partnerOrganisationId) else {
                throw DomainError.forbidden("Only the partner organisation's liaison officer can accept")
            }
            guard agreement.status == .proposed else {
                throw DomainError.conflict("The agreement is \(agreement.status.rawValue)")
            }
            agreement.status = .active
            agreement.acceptedAt = now
        }
    }

    /// Either side's liaison officer ends it.
    public func endSharing(id: Int64, by principal: Principal) async throws -> SharingAgreement {
        try await changeSharing(id: id, by: principal, action: "end") { agreement, now in
            let own = principal.organisationIds(as: .liaisonOfficer)
            guard own.contains(agreement.organisationId) || own.contains(agreement.partnerOrganisationId) else {
                throw DomainError.forbidden("Only a liaison officer of either organisation can end the agreement")
            }
            guard agreement.status != .ended else { throw DomainError.conflict("The agreement has already ended") }
            agreement.status = .ended
            agreement.endedAt = now
        }
    }

    private func changeSharing(
        id: Int64, by principal: Principal, action: String,
        _ change: @escaping @Sendable (inout SharingAgreement, Date) throws -> Void
    ) async throws -> SharingAgreement {
        let now = clock.now()
        return try await write { db in
            guard var agreement = try SharingAgreement.fetchOne(db, id: id) else {
                throw DomainError.notFound("No agreement has that id")
            }
            try change(&agreement, now)
            try agreement.update(db)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "sharing-agreement", entityId: id, action: action)
            return agreement
        }
    }

    func sharingAgreements(organisationId: Int64) async throws -> [SharingAgreement] {
        try await read { db in
            try SharingAgreement.fetchAll(
                db, sql: "SELECT * FROM sharingAgreement WHERE organisationId = ? OR partnerOrganisationId = ? ORDER BY id",
                arguments: [organisationId, organisationId])
        }
    }

    func partnerOrganisations(of organisationId: Int64) async throws -> [Int64] {
        try await read { db in try Self.partnerOrganisationIds(db, of: organisationId) }
    }

    /// The organisations an organisation shares GPs and sessions with now.
    static func partnerOrganisationIds(_ db: Database, of organisationId: Int64) throws -> [Int64] {
        try Int64.fetchAll(
            db,
            sql: """
                SELECT CASE WHEN organisationId = ? THEN partnerOrganisationId ELSE organisationId END
                FROM sharingAgreement WHERE status = 'active' AND (organisationId = ? OR partnerOrganisationId = ?)
                """,
            arguments: [organisationId, organisationId, organisationId])
    }
}
