import Foundation
import SGPSupport

/// One session (`/sessions/{id}`): what it is, and first what the signed-in person's situation is
/// and what they can do about it: apply; applied (with Withdraw); offered (Accept / Decline, the
/// rate, the time left); booked (the pack, the address with a map, the phone to dial); or full.
struct SessionPage: Sendable {
    struct OfferPanel: Sendable {
        var id: Int64
        var rate: String
        var expires: String
        var timeLeft: String
    }

    struct OwnApplication: Sendable {
        var id: Int64
        var canWithdraw: Bool
    }

    struct BookingPanel: Sendable {
        var id: Int64
        var heading: String
        var gpName: String
        var status: String
        var cancelReason: String?
        var canCancel: Bool
        var canComplete: Bool
        var cancelFields: [FormField]
    }

    struct ApplicationRow: Sendable {
        var id: Int64
        var gpName: String
        var status: String
        var pending: Bool
        /// The applicant's terms for this practice in one line, read before accepting (pending only).
        var terms: String?
    }

    struct CandidateRow: Sendable {
        var gpId: Int64
        var name: String
        /// Why the GP ranks where they do, as reasons ("worked here 3 times"), not a score.
        var reasons: String
        var eligible: Bool
        var ineligibleBecause: String
    }

    struct PackSection: Sendable {
        var title: String
        var text: String
    }

    var page: PageChrome
    var session: SessionRow
    var notes: String?
    /// The person's situation in one sentence, when the page has something to say about it.
    var situation: String?
    var canApply: Bool
    var whyNot: String?
    var application: OwnApplication?
    var offer: OfferPanel?
    var booking: BookingPanel?
    /// Where to go and whom to call: for those who see the pack (the GP booked, the practice, its team).
    var place: PracticePlace?
    var pack: [PackSection]
    var hasPack: Bool
    var canManage: Bool
    var isOpen: Bool
    var canOffer: Bool
    var canWithdraw: Bool
    var applications: [ApplicationRow]
    var candidates: [CandidateRow]
    var hasCandidates: Bool

    /// `applications` and `candidates` are what the domain gave those who may see them (empty for
    /// others), `terms` the applicants' terms for the practice by GP id (those the domain let this
    /// person read); `posted` and `errors` are a cancellation sent back without its reason.
    init(
        page: PageChrome, view: SessionView, applications: [(Application, GP)], candidates: [Candidate],
        pack: PracticePack?, skills: SkillNames, now: Date, terms: [Int64: TermsView] = [:], posted: FormFields? = nil,
        errors: ValidationErrors = ValidationErrors()
    ) {
        let listing = view.listing
        let status = listing.session.status
        let may = view.may
        self.page = page
        session = SessionRow(listing, skills: skills)
        notes = listing.session.notes
        canApply = may.contains(.apply)
        whyNot = view.whyNotApply
        canManage = may.contains(.manage)
        isOpen = status == .open
        canOffer = may.contains(.offer)
        canWithdraw = may.contains(.withdraw)

        let pending = view.ownApplication.flatMap { $0.status == .pending ? $0 : nil }
        application = pending.map { OwnApplication(id: $0.id!, canWithdraw: may.contains(.withdrawApplication)) }
        offer = view.ownOffer.map {
            OfferPanel(
                id: $0.id!, rate: listing.session.rateText, expires: DisplayDate.dayAndTime($0.expiresAt),
                timeLeft: TimeLeft.words(until: $0.expiresAt, now: now))
        }
        booking = view.booking.map { booked in
            BookingPanel(
                id: booked.booking.id!, heading: view.isOwnBooking ? "Your booking" : "Booking", gpName: booked.gpName,
                status: booked.booking.status.title, cancelReason: booked.booking.cancelReason,
                canCancel: may.contains(.cancelBooking), canComplete: may.contains(.complete),
                cancelFields: CancelForm.declaration.rendered(current: CancelForm.Input(), posted: posted, errors: errors))
        }
        situation = Self.situation(view, hasPendingApplication: pending != nil)
        let place = PracticePlace(listing.practice)
        self.place = may.contains(.seePack) && (place.address != nil || place.phone != nil) ? place : nil
        self.pack =
            pack.map { saved in
                PracticePack.sections.compactMap { section in
                    let text = PracticePackText.text(of: saved, section.key)
                    return text.isEmpty ? nil : PackSection(title: section.title, text: text)
                }
            } ?? []
        hasPack = !self.pack.isEmpty
        self.applications = applications.map { application, gp in
            ApplicationRow(
                id: application.id!, gpName: gp.name, status: application.status.title,
                pending: application.status == .pending,
                terms: application.status == .pending ? terms[gp.id!].map { TermsText.line($0.terms) } : nil)
        }
        self.candidates = candidates.map {
            CandidateRow(
                gpId: $0.gpId, name: $0.name, reasons: $0.reasons.joined(separator: "; "), eligible: $0.eligible,
                ineligibleBecause: $0.ineligibleBecause.joined(separator: "; "))
        }
        hasCandidates = !self.candidates.isEmpty
    }

    /// The sentence that answers "where do I stand with this session?" for a GP; the practice and
    /// its team read the booking, applications and candidates instead.
    static func situation(_ view: SessionView, hasPendingApplication: Bool) -> String? {
        guard !view.may.contains(.manage) else { return nil }
        if view.isOwnBooking {
            return view.booking?.booking.status == .completed
                ? "You worked this session." : "You are booked for this session."
        }
        if view.ownOffer != nil { return nil }  // the offer's own panel says it
        if hasPendingApplication {
            return "You have applied for this session. The practice will accept or decline your application."
        }
        if view.ownApplication?.status == .declined, view.listing.session.status == .open {
            return "The practice declined your application for this session."
        }
        switch view.listing.session.status {
        case .open: return nil
        case .booked, .completed:
            return view.ownApplication?.status == .declined
                ? "The practice booked another GP for this session." : "This session has been filled."
        case .cancelled: return "The practice cancelled this session."
        case .withdrawn: return "The practice withdrew this session: it is no longer needed."
        }
    }
}

/// Cancelling a booking: the reason, which the other side is told.
enum CancelForm {
    struct Input {
        var reason: String?
    }

    static var declaration: FormDeclaration<Input> {
        FormDeclaration([.text("reason", "Reason for cancelling", \.reason)])
    }
}

/// A practice pack's section text by its key (`PracticePack.sections`).
enum PracticePackText {
    static func text(of pack: PracticePack, _ key: String) -> String {
        switch key {
        case "arrival": pack.arrival
        case "systems": pack.systems
        case "contacts": pack.contacts
        case "referrals": pack.referrals
        case "protocols": pack.protocols
        default: pack.emergencies
        }
    }

    /// Every section's text by key, empty for a pack not written yet.
    static func sections(of pack: PracticePack?) -> [String: String] {
        var sections: [String: String] = [:]
        for section in PracticePack.sections { sections[section.key] = pack.map { text(of: $0, section.key) } ?? "" }
        return sections
    }
}
