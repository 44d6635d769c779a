package import Foundation
import SonoCore

/// A gestational age in completed weeks and days, as clinicians write it ("20+3").
///
/// Stored as whole days since the first day of the last menstrual period (LMP), because dating
/// is done in days; charts take ``exactWeeks`` (days / 7, so 20+3 is 20.428571 weeks).
/// Encodes to JSON as the string "20+3".
package struct GestationalAge: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Completed days since the LMP.
    package let totalDays: Int

    /// Creates an age from completed days; negative values throw.
    package init(totalDays: Int) throws(BiometryError) {
        guard totalDays >= 0 else { throw .unparsableGestationalAge("\(totalDays) days") }
        self.totalDays = totalDays
    }

    init(nonNegativeDays: Int) {
        self.totalDays = nonNegativeDays
    }

    /// Creates an age from completed weeks and days (0...6).
    package init(weeks: Int, days: Int) throws(BiometryError) {
        guard let total = Self.checkedDays(weeks: weeks, days: days) else {
            throw .unparsableGestationalAge("\(weeks)+\(days)")
        }
        self.totalDays = total
    }

    /// The longest pregnancy a report can plausibly describe (44+6). Beyond it an age is a typing
    /// error (`100+0`, `2+3` written as `23`), and no chart or rule can use it.
    package static let plausibleMaximum = GestationalAge(nonNegativeDays: 44 * 7 + 6)

    package var isPlausible: Bool { self <= Self.plausibleMaximum }

    /// weeks × 7 + days with overflow checked: the text comes from manifests and specs, and
    /// `9223372036854775807` weeks must be refused, not trap.
    private static func checkedDays(weeks: Int, days: Int) -> Int? {
        guard weeks >= 0, (0...6).contains(days) else { return nil }
        let (product, overflow) = weeks.multipliedReportingOverflow(by: 7)
        guard !overflow else { return nil }
        let (sum, overflow2) = product.addingReportingOverflow(days)
        return overflow2 ? nil : sum
    }

    /// Parses "20+3", "20 + 3", "20w3d", "20w 3d", "20w" or "20" (weeks only means +0).
    package init(parsing text: String) throws(BiometryError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        var weeksPart = trimmed
        var daysPart = "0"
        if let plus = trimmed.firstIndex(of: "+") {
            weeksPart = String(trimmed[..<plus])
            daysPart = String(trimmed[trimmed.index(after: plus)...])
        } else if let w = trimmed.firstIndex(of: "w") {
            weeksPart = String(trimmed[..<w])
            let rest = trimmed[trimmed.index(after: w)...].trimmingCharacters(in: .whitespaces)
            if !rest.isEmpty {
                guard rest.hasSuffix("d") else { throw .unparsableGestationalAge(text) }
                daysPart = String(rest.dropLast())
            }
        }
        guard let weeks = Int(weeksPart.trimmingCharacters(in: .whitespaces)),
              let days = Int(daysPart.trimmingCharacters(in: .whitespaces)),
              let total = Self.checkedDays(weeks: weeks, days: days)
        else { throw .unparsableGestationalAge(text) }
        self.totalDays = total
    }

    /// Age on `examDate` for a pregnancy dated by its LMP; both are calendar dates "yyyy-MM-dd".
    package init(lastMenstrualPeriod lmp: String, examDate exam: String) throws(BiometryError) {
        let lmpDay = try Self.civilDayNumber(lmp)
        let examDay = try Self.civilDayNumber(exam)
        guard examDay >= lmpDay else { throw .invalidDate("exam \(exam) is before LMP \(lmp)") }
        self.totalDays = examDay - lmpDay
    }

    /// Age on `examDate` for a pregnancy dated by its LMP, counting calendar days in UTC.
    package init(lastMenstrualPeriod lmp: Date, examDate exam: Date) throws(BiometryError) {
        let secondsPerDay = 86_400.0
        let lmpDay = Int((lmp.timeIntervalSince1970 / secondsPerDay).rounded(.down))
        let examDay = Int((exam.timeIntervalSince1970 / secondsPerDay).rounded(.down))
        guard examDay >= lmpDay else { throw .invalidDate("exam date is before LMP") }
        self.totalDays = examDay - lmpDay
    }

    /// Completed weeks.
    package var weeks: Int { totalDays / 7 }
    /// Days beyond the completed weeks (0...6).
    package var days: Int { totalDays % 7 }
    /// Exact weeks (days / 7), the unit the chart equations take.
    package var exactWeeks: Double { Double(totalDays) / 7 }

    package var description: String { "\(weeks)+\(days)" }

    package static func < (lhs: GestationalAge, rhs: GestationalAge) -> Bool { lhs.totalDays < rhs.totalDays }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let days = try? container.decode(Int.self) {
            try self.init(totalDays: days)
        } else {
            try self.init(parsing: try container.decode(String.self))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Days since 1970-01-01 of a strict `yyyy-MM-dd` date (``CivilDate``).
    static func civilDayNumber(_ text: String) throws(BiometryError) -> Int {
        guard let date = CivilDate(parsing: text.trimmingCharacters(in: .whitespaces)) else {
            throw .invalidDate("\"\(text)\" is not a yyyy-MM-dd calendar date")
        }
        return date.dayNumber
    }
}
