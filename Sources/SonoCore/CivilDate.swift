package import Foundation

/// A calendar date written `YYYY-MM-DD` (ISO 8601 calendar date, proleptic Gregorian): the one
/// date type of the package. Manifests, the simulator and gestational-age dating all parse dates
/// here, so a date accepted in one place is accepted in all.
///
/// Parsing is strict: exactly four, two and two ASCII digits (`+123-01-01`, `2024-1-5` and
/// `２０２４-…` are refused) and a day that exists in its month. Arithmetic is done by hand on
/// day numbers so no calendar or time zone can shift a date by one day.
package struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    package let year: Int
    package let month: Int
    package let day: Int

    /// Years a date of an obstetric examination or an LMP can plausibly have. Outside them a date is
    /// a typing error (`0202-05-01`), and refusing it keeps day arithmetic far from any overflow.
    package static let plausibleYears = 1900...2200

    /// Nil unless `text` is a strict `YYYY-MM-DD` date that exists (any year 0000–9999).
    package init?(parsing text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for b in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) else { return nil }
                value = value * 10 + Int(b - UInt8(ascii: "0"))
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10),
              (1...12).contains(m), d >= 1, d <= Self.daysInMonth(year: y, month: m) else { return nil }
        year = y
        month = m
        day = d
    }

    /// The date `dayNumber` days after 1970-01-01 (Hinnant's civil_from_days).
    package init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = d
    }

    /// Days since 1970-01-01 (Hinnant's days_from_civil).
    package var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    package var isPlausible: Bool { Self.plausibleYears.contains(year) }

    package var description: String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    package static func < (lhs: CivilDate, rhs: CivilDate) -> Bool { lhs.dayNumber < rhs.dayNumber }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

extension CivilDate {
    /// The date a run is stamped with: `SOURCE_DATE_EPOCH` (seconds since 1970, the
    /// reproducible-builds convention) when it holds a plausible time, so recorded golden outputs
    /// and repeated runs stay byte-identical; otherwise `now`, in UTC.
    package static func runDate(environment: [String: String], now: Date) -> CivilDate {
        let stated = environment["SOURCE_DATE_EPOCH"].flatMap { Int($0) }
            .flatMap { (0...7_258_118_400).contains($0) ? $0 : nil }  // up to 2200-01-01
        let seconds = stated ?? Int(now.timeIntervalSince1970.rounded(.down))
        return CivilDate(dayNumber: seconds / 86_400)
    }
}
