import Foundation
import GRDB

extension AppDatabase {
    /// The day before each booked session, its GP is reminded (once) where and when, with the link
    /// to the booking's page and its practice pack. Run by the scheduler.
    public func sendSessionReminders(links: Links) async throws -> Outcome<Int> {
        let now = clock.now()
        let tomorrow = clock.today.adding(days: 1)
        return try await write { db in
            let bookings = try Booking.fetchAll(
                db,
                sql: "SELECT * FROM booking WHERE status = 'confirmed' AND date = ? AND reminderSentAt IS NULL ORDER BY id",
                arguments: [tomorrow])
            var mail: [MailMessage] = []
            for booking in bookings {
                let (session, practice) = try Self.sessionAndPractice(db, booking.sessionId)
                if let gp = try GP.fetchOne(db, id: booking.gpId), let email = gp.email {
                    mail.append(
                        MailMessage(
                            to: email, toName: gp.name,
                            subject: "Tomorrow: \(practice.name), \(session.start)–\(session.end)",
                            text: """
                                Dear \(gp.name),

                                A reminder of your \(session.kind.title.lowercased()) session tomorrow:

                                \(Self.sessionParticulars(session, practice))

                                Arrival, logins and contacts are in the practice pack on the booking's page:
                                \(links.url("/sessions/\(session.id!)"))
                                """))
                }
                try db.execute(sql: "UPDATE booking SET reminderSentAt = ? WHERE id = ?", arguments: [now, booking.id])
            }
            return Outcome(value: bookings.count, notifications: mail)
        }
    }
}
