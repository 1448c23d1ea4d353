import Foundation
import SGPSupport

/// The administrator's page (`/admin`): the organisations using the service.
struct AdminPage: Sendable {
    struct Row: Sendable {
        var id: Int64
        var code: String
        var name: String
        var region: String?
        var created: String
    }

    var page: PageChrome
    var organisations: [Row]

    init(page: PageChrome, organisations: [Organisation]) {
        self.page = page
        self.organisations = organisations.map {
            Row(id: $0.id!, code: $0.code, name: $0.name, region: $0.region, created: DisplayDate.day($0.createdAt))
        }
    }
}
