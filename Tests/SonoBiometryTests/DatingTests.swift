import Foundation
import Testing
@testable import SonoBiometry

@Suite("Gestational age: value type and dating equations")
struct DatingTests {
    @Test("parses clinician notation", arguments: [
        ("20+3", 143), ("20 + 3", 143), ("20w3d", 143), ("20w 3d", 143), ("14+0", 98), ("40", 280), ("9w", 63),
    ])
    func parsesNotation(text: String, days: Int) throws {
        let ga = try GestationalAge(parsing: text)
        #expect(ga.totalDays == days)
    }

    @Test("rejects malformed ages", arguments: ["", "20+7", "20+-1", "abc", "20+3+1", "-2+0", "20w3"])
    func rejectsMalformed(text: String) {
        #expect(throws: BiometryError.unparsableGestationalAge(text)) { try GestationalAge(parsing: text) }
    }

    @Test("ages whose day count overflows Int are refused, not trapped (issue 16)",
          arguments: ["9223372036854775807", "9223372036854775807+6", "1317624576693539402+0", "1317624576693539401w6d"])
    func overflowingAgesAreRefused(text: String) {
        #expect(throws: BiometryError.unparsableGestationalAge(text)) { try GestationalAge(parsing: text) }
        #expect(throws: BiometryError.self) { try GestationalAge(weeks: Int.max, days: 0) }
    }

    @Test("ages beyond 44+6 parse but are not plausible")
    func plausibility() throws {
        #expect(try GestationalAge(parsing: "44+6").isPlausible)
        #expect(try !GestationalAge(parsing: "100+0").isPlausible)
    }

    @Test("20+3 is 20.428571 exact weeks and prints back as 20+3")
    func exactWeeks() throws {
        let ga = try GestationalAge(weeks: 20, days: 3)
        #expect(abs(ga.exactWeeks - 20.428571) < 1e-6)
        #expect(ga.description == "20+3")
        #expect(ga.weeks == 20 && ga.days == 3)
    }

    @Test("dates from LMP and exam date across month, year and leap-day boundaries")
    func datesFromLMP() throws {
        #expect(try GestationalAge(lastMenstrualPeriod: "2024-01-01", examDate: "2024-05-20").description == "20+0")
        // 2024 is a leap year: Feb has 29 days.
        #expect(try GestationalAge(lastMenstrualPeriod: "2024-02-01", examDate: "2024-03-01").totalDays == 29)
        #expect(try GestationalAge(lastMenstrualPeriod: "2023-12-20", examDate: "2024-01-03").totalDays == 14)
        #expect(throws: BiometryError.self) { try GestationalAge(lastMenstrualPeriod: "2024-05-01", examDate: "2024-04-01") }
        #expect(throws: BiometryError.self) { try GestationalAge(lastMenstrualPeriod: "2023-02-29", examDate: "2023-04-01") }
        #expect(throws: BiometryError.self) { try GestationalAge(lastMenstrualPeriod: "2023/02/01", examDate: "2023-04-01") }
        #expect(throws: BiometryError.self) { try GestationalAge(lastMenstrualPeriod: "+123-01-01", examDate: "2023-04-01") }
    }

    @Test("dates from Foundation dates count UTC calendar days")
    func datesFromDates() throws {
        let lmp = Date(timeIntervalSince1970: 1_704_067_200 + 3600 * 23) // 2024-01-01 23:00 UTC
        let exam = Date(timeIntervalSince1970: 1_704_067_200 + 140 * 86_400 + 60) // 2024-05-20 00:01 UTC
        #expect(try GestationalAge(lastMenstrualPeriod: lmp, examDate: exam).totalDays == 140)
    }

    @Test("JSON round trip uses the 20+3 notation")
    func codable() throws {
        let ga = try GestationalAge(parsing: "20+3")
        let data = try JSONEncoder().encode([ga])
        #expect(String(decoding: data, as: UTF8.self) == "[\"20+3\"]")
        #expect(try JSONDecoder().decode([GestationalAge].self, from: data) == [ga])
    }

    @Test("INTERGROWTH-21st dating by HC and by HC+FL reproduces the worked values")
    func intergrowthDating() throws {
        #expect(abs(try Intergrowth21st.gestationalAge(hcMM: 172.5).days - 140.10) < 0.005)
        #expect(abs(try Intergrowth21st.gestationalAge(hcMM: 172.5).exactWeeks - 20.01) < 0.005)
        #expect(abs(try Intergrowth21st.gestationalAge(hcMM: 278.4).days - 211.83) < 0.005)
        #expect(abs(try Intergrowth21st.gestationalAge(hcMM: 172.5, flMM: 31.3).days - 139.53) < 0.005)
        #expect(abs(try Intergrowth21st.gestationalAge(hcMM: 278.4, flMM: 55.5).days - 211.49) < 0.005)
        // At the 40-week median HC the regression dates to 265.1 days (37+6): flagged as out of window.
        let late = try Intergrowth21st.gestationalAge(hcMM: 333.9)
        #expect(abs(late.days - 265.1) < 0.05)
        #expect(late.gestationalAge.description == "37+6")
        #expect(late.isWithinValidatedRange == false)
        #expect(try Intergrowth21st.gestationalAge(hcMM: 172.5).isWithinValidatedRange)
        #expect(throws: BiometryError.self) { try Intergrowth21st.gestationalAge(hcMM: 0) }
    }

    @Test("INTERGROWTH-21st CRL dating reproduces the worked values")
    func crlDating() throws {
        #expect(abs(try Intergrowth21st.gestationalAge(crlMM: 15).days - 58.59) < 0.005)
        #expect(abs(try Intergrowth21st.gestationalAge(crlMM: 45).days - 78.18) < 0.005)
        #expect(abs(try Intergrowth21st.gestationalAgeSDDays(crlMM: 45) - 3.26) < 0.005)
        #expect(abs(try Intergrowth21st.gestationalAge(crlMM: 84).days - 99.69) < 0.005)
        #expect(try Intergrowth21st.gestationalAge(crlMM: 120).isWithinValidatedRange == false)
    }
}
