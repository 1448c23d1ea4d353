import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /api/v1/openapi.json`: the API's OpenAPI document (`openapi.yaml`, written in JSON syntax,
/// which YAML reads too), read once at start-up. Public: it describes the API, not anyone's data.
struct OpenAPIController {
    let document: Data

    struct MissingDocument: Error, CustomStringConvertible {
        var path: String
        var description: String { "The OpenAPI document \(path) is missing: run from the repository or set SGPST_RESOURCES" }
    }

    init(resourcesDirectory: URL) throws {
        let file = resourcesDirectory.appendingPathComponent("openapi.yaml")
        do {
            document = try Data(contentsOf: file)
        } catch {
            throw MissingDocument(path: file.path)
        }
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/openapi.json", use: serve)
    }

    @Sendable func serve(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: document)))
    }
}
