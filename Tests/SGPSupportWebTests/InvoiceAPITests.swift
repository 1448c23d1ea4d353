import Foundation
import HTTPTypes
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// The invoice API's contract (issue 22): the names and shapes programs rely on.
@Suite struct InvoiceAPITests {
    @Test func anInvoiceIsMadeSentPaidAndItsFormsReadThroughTheAPI() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            let gpPrincipal = try await InvoicePagesTests.principal(environment.database, "gp@demo.test")
            let item = try await InvoicePagesTests.worked(environment.database, gp: gpPrincipal)
            let practiceId = try #require(item.practice.id)

            let details = try await gp.send(
                "/api/v1/gps/1/pay-details", method: .put,
                json: """
                    {"address": "1 Mill Lane", "niNumber": "AB123456C", "dateOfBirth": "1980-03-14", "sdNumber": "12345678",
                     "bankAccountName": "Dr A Hartwell", "sortCode": "123456", "accountNumber": "12345678"}
                    """)
            #expect(details.status == .ok && details.json["sortCode"] as? String == "12-34-56")
            let refused = try await gp.send("/api/v1/gps/1/pay-details", method: .put, json: #"{"sortCode": "12"}"#)
            #expect(refused.status == .unprocessableContent)
            #expect((refused.json["error"] as? [String: Any])?["code"] as? String == "validation_failed")

            let created = try await gp.send(
                "/api/v1/invoices", method: .post,
                json:
                    #"{"practiceId": \#(practiceId), "bookingIds": [\#(item.booking.id!)], "mileageMiles": 10, "notes": "Thanks", "coveringFor": "Dr Patel (leave)"}"#
            )
            #expect(created.status == .created)
            let invoice = created.json
            for field in [
                "id", "number", "status", "issuedOn", "dueOn", "lines", "totalPence", "pensionablePayPence",
                "employerContributionPence",
            ] {
                #expect(invoice[field] != nil, "\(field) is in the answer")
            }
            let lines = try #require(invoice["lines"] as? [[String: Any]])
            #expect(lines.map { $0["amountPence"] as? Int } == [9_500, 450, 1_229])
            #expect(lines.map { $0["pensionable"] as? Bool } == [true, false, false])
            #expect(invoice["totalPence"] as? Int == 11_179 && invoice["status"] as? String == "draft")
            #expect(invoice["coveringFor"] as? String == "Dr Patel (leave)")
            let id = try #require(invoice["id"] as? Int)

            #expect(try await practice.send("/api/v1/invoices/\(id)").status == .notFound, "a draft is the GP's alone")
            let sent = try await gp.send("/api/v1/invoices/\(id)/send", method: .post)
            #expect(sent.status == .ok && sent.json["status"] as? String == "sent")
            let listed = try await practice.send("/api/v1/invoices?status=sent&practiceId=\(practiceId)")
            #expect((listed.json["items"] as? [[String: Any]])?.map { $0["id"] as? Int } == [id])
            #expect(try await practice.send("/api/v1/invoices?status=unpaid").status == .badRequest)

            let badDate = try await practice.send("/api/v1/invoices/\(id)/paid", method: .post, json: #"{"paidOn": "soon"}"#)
            #expect(badDate.status == .unprocessableContent)
            let today = environment.database.clock.today
            let paid = try await practice.send("/api/v1/invoices/\(id)/paid", method: .post, json: #"{"paidOn": "\#(today)"}"#)
            #expect(paid.status == .ok && paid.json["paidOn"] as? String == "\(today)")
            let signed = try await practice.send("/api/v1/invoices/\(id)/form-a/approve", method: .post)
            #expect(signed.status == .ok)
            #expect((signed.json["approval"] as? [String: Any])?["approverName"] as? String == "Janet Cole")
            #expect(try await gp.send("/api/v1/invoices/\(id)/received", method: .post).json["receivedAt"] != nil)

            let month = Month(containing: today)
            let formB = try await gp.send("/api/v1/gps/1/form-b?month=\(month)")
            #expect(formB.status == .ok)
            for field in [
                "pensionablePayPence", "employerContributionPence", "employeeContributionPence", "tierRate", "upr", "dueOn",
                "lines",
            ] {
                #expect(formB.json[field] != nil, "\(field) is on Form B")
            }
            #expect(
                formB.json["pensionablePayPence"] as? Int == 8_550
                    && formB.json["upr"] as? String == "12345678LOC" + String(month.displayText.prefix(3)).uppercased()
                        + String(format: "%02d", month.year % 100)
            )
            #expect(try await practice.send("/api/v1/gps/1/form-b?month=\(month)").status == .forbidden)
        }
    }
}
