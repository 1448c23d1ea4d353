import GRDB

/// Which page of a list the caller wants; out-of-range values are corrected, not refused.
public struct PageRequest: Sendable, Equatable {
    public static let maximumPerPage = 200
    public var page: Int
    public var perPage: Int

    public init(page: Int? = nil, perPage: Int? = nil) {
        // Clamped so that no page number, however large, overflows the offset.
        self.page = min(1_000_000, max(1, page ?? 1))
        self.perPage = min(Self.maximumPerPage, max(1, perPage ?? 50))
    }

    var offset: Int { (page - 1) * perPage }
}

/// One page of a list and the size of the whole list.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int
    public var page: Int
    public var perPage: Int

    public init(items: [Item], total: Int, page: Int, perPage: Int) {
        self.items = items
        self.total = total
        self.page = page
        self.perPage = perPage
    }

    init(_ request: QueryInterfaceRequest<Item>, _ page: PageRequest, _ db: Database) throws
    where Item: FetchableRecord {
        self.total = try request.fetchCount(db)
        self.items = try request.limit(page.perPage, offset: page.offset).fetchAll(db)
        self.page = page.page
        self.perPage = page.perPage
    }

    public func map<T>(_ transform: (Item) throws -> T) rethrows -> Page<T> {
        Page<T>(items: try items.map(transform), total: total, page: page, perPage: perPage)
    }
}
