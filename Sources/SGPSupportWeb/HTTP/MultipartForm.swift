import Foundation
import Hummingbird
import NIOCore

/// A `multipart/form-data` body (RFC 7578): what a browser sends for a form with a file in it. Read
/// by hand, as none of the packages the server uses parses it; the whole body is in memory already
/// (within the request size limit), so this is a search for the boundary, not a stream.
struct MultipartForm: Sendable {
    struct Part: Sendable, Equatable {
        var name: String
        /// Present for a file field (possibly empty, when no file was chosen).
        var filename: String?
        var contentType: String?
        var body: [UInt8]
    }

    var parts: [Part]

    /// More fields than any of our forms has: a body of thousands of empty parts is refused.
    static let maximumParts = 100
    static let maximumHeaderBytes = 8 * 1024

    /// The boundary of a `multipart/form-data` content type, nil for any other type.
    static func boundary(contentType: String) -> String? {
        let (value, parameters) = headerValue(contentType)
        guard value.lowercased() == "multipart/form-data", let boundary = parameters["boundary"],
            (1...70).contains(boundary.utf8.count)
        else { return nil }
        return boundary
    }

    /// Splits `value; name=token; other="quoted \" string"` into the value and its parameters
    /// (names in lower case).
    static func headerValue(_ header: String) -> (value: String, parameters: [String: String]) {
        var scalars = Array(header.unicodeScalars)[...]
        func skipSpaces() { while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() } }
        func token(until stops: Set<Unicode.Scalar>) -> String {
            var text = String.UnicodeScalarView()
            while let first = scalars.first, !stops.contains(first) { text.append(scalars.removeFirst()) }
            return String(text).trimmingCharacters(in: .whitespaces)
        }
        let value = token(until: [";"])
        var parameters: [String: String] = [:]
        while scalars.first == ";" {
            scalars.removeFirst()
            skipSpaces()
            let name = token(until: ["=", ";"]).lowercased()
            var parameter = ""
            if scalars.first == "=" {
                scalars.removeFirst()
                skipSpaces()
                if scalars.first == "\"" {
                    scalars.removeFirst()
                    var text = String.UnicodeScalarView()
                    while let scalar = scalars.first {
                        scalars.removeFirst()
                        if scalar == "\"" { break }
                        if scalar == "\\", let escaped = scalars.first {
                            scalars.removeFirst()
                            text.append(escaped)
                        } else {
                            text.append(scalar)
                        }
                    }
                    parameter = String(text)
                    _ = token(until: [";"])
                } else {
                    parameter = token(until: [";"])
                }
            }
            if !name.isEmpty, parameters[name] == nil { parameters[name] = parameter }
        }
        return (value, parameters)
    }

    /// Nil when the body is not a well-formed multipart body with this boundary.
    init?(body: [UInt8], boundary: String) {
        let delimiter = Array("--\(boundary)".utf8)
        let partEnd = Array("\r\n--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        // The first delimiter may open the body or follow a preamble (which is ignored).
        guard var index = Self.find(delimiter, in: body, from: 0) else { return nil }
        index += delimiter.count
        var parts: [Part] = []
        while true {
            if body[index...].starts(with: [45, 45]) { break }  // "--": the closing delimiter
            while index < body.count, body[index] == 32 || body[index] == 9 { index += 1 }  // transport padding
            guard body[index...].starts(with: crlf) else { return nil }
            index += 2
            let headers: [String: String]
            if body[index...].starts(with: crlf) {
                headers = [:]
                index += 2
            } else {
                guard let end = Self.find(crlf + crlf, in: body, from: index), end - index <= Self.maximumHeaderBytes
                else { return nil }
                guard let parsed = Self.headers(body[index..<end]) else { return nil }
                headers = parsed
                index = end + 4
            }
            guard let next = Self.find(partEnd, in: body, from: index) else { return nil }
            let disposition = Self.headerValue(headers["content-disposition"] ?? "")
            if disposition.value.lowercased() == "form-data", let name = disposition.parameters["name"] {
                guard parts.count < Self.maximumParts else { return nil }
                parts.append(
                    Part(
                        name: name, filename: disposition.parameters["filename"], contentType: headers["content-type"],
                        body: Array(body[index..<next])))
            }
            index = next + partEnd.count
        }
        self.parts = parts
    }

    /// A part's headers by lower-case name; nil when a line is not `Name: value`.
    private static func headers(_ bytes: ArraySlice<UInt8>) -> [String: String]? {
        var headers: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count, start >= 0 else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// The text fields (parts without a file name), as a url-encoded form's would be read.
    var fields: FormFields {
        var values: [String: [String]] = [:]
        for part in parts where part.filename == nil {
            values[part.name, default: []].append(String(decoding: part.body, as: UTF8.self))
        }
        return FormFields(values: values)
    }

    /// The first file sent under each field name; a file field left empty sends no file.
    var files: [String: UploadedFile] {
        var files: [String: UploadedFile] = [:]
        for part in parts where files[part.name] == nil {
            guard let filename = part.filename, !(filename.isEmpty && part.body.isEmpty) else { continue }
            files[part.name] = UploadedFile(filename: filename, contentType: part.contentType, bytes: part.body)
        }
        return files
    }
}

/// A file sent with a form.
struct UploadedFile: Sendable, Equatable {
    var filename: String
    var contentType: String?
    var bytes: [UInt8]
}

/// A posted form: its fields, and the files a multipart form sent with them.
struct FormSubmission: Sendable {
    var fields: FormFields
    var files: [String: UploadedFile]
}

extension Request {
    /// Reads a posted form, url-encoded or multipart, within the upload size limit (bodies are
    /// collated by the CSRF middleware, so they can be read again).
    func formSubmission(context: AppRequestContext) async throws -> FormSubmission {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        if let boundary = headers[.contentType].flatMap(MultipartForm.boundary(contentType:)) {
            guard let form = MultipartForm(body: Array(buffer.readableBytesView), boundary: boundary) else {
                throw HTTPError(.badRequest, message: "The form could not be read. Go back, reload the page and send it again.")
            }
            return FormSubmission(fields: form.fields, files: form.files)
        }
        return FormSubmission(fields: FormFields(urlEncoded: String(buffer: buffer)), files: [:])
    }
}
