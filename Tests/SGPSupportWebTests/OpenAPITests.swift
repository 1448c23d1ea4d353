import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// The OpenAPI document describes exactly the API the router serves.
@Suite struct OpenAPITests {
    static func document() throws -> [String: Any] {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("openapi.yaml"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func everyAPIRouteIsDescribedAndNothingElse() async throws {
        let environment = try await TestEnvironment(demo: false)
        let router = try await buildRouter(configuration: environment.configuration, database: environment.database)
        let served = Set(
            router.routes.filter { $0.path.description.hasPrefix("/api/") }.map {
                "\($0.method.rawValue.lowercased()) \($0.path.description)"
            })
        let paths = try #require(try Self.document()["paths"] as? [String: [String: Any]])
        let described = Set(paths.flatMap { path, operations in operations.keys.map { "\($0) \(path)" } })
        #expect(served.count > 90)
        #expect(
            served.subtracting(described).isEmpty,
            "routes the document does not describe: \(served.subtracting(described).sorted())")
        #expect(described.subtracting(served).isEmpty, "described but not served: \(described.subtracting(served).sorted())")
        // Every operation names its errors with the one error shape, and its path parameters.
        for (path, operations) in paths {
            for (method, value) in operations {
                let operation = try #require(value as? [String: Any])
                let responses = try #require(operation["responses"] as? [String: Any])
                #expect(responses["422"] != nil && responses["403"] != nil, "\(method) \(path) lists its errors")
                let parameters = (operation["parameters"] as? [[String: Any]]) ?? []
                let named = Set(parameters.filter { $0["in"] as? String == "path" }.compactMap { $0["name"] as? String })
                let inPath = Set(
                    path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) })
                #expect(named == inPath, "\(method) \(path) describes its path parameters")
            }
        }
    }

    @Test func theDocumentIsServedToAnyone() async throws {
        let environment = try await TestEnvironment(demo: false)
        try await environment.test { browser in
            let response = try await browser.request("/api/v1/openapi.json")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let served = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect(served["openapi"] as? String == "3.0.3")
            #expect((served["paths"] as? [String: Any])?["/api/v1/clearing-runs"] != nil)
        }
    }
}
