import Foundation
import Hummingbird
import SonoL10n

/// Which language a page is rendered in: the account's stored choice, else the browser's
/// Accept-Language, else English.
enum PageLanguage {
    /// The language the header prefers most among the ones SonoQC has, by q-value (ties keep the
    /// header's order). `zh`, `zh-CN`, `zh-Hans` (and their subtags such as `zh-Hans-CN`) mean
    /// zh-CN; any `en` means English; other languages, `*` and q=0 entries are skipped, and
    /// nothing usable gives English.
    static func negotiate(acceptLanguage header: String?) -> Language {
        guard let header else { return .en }
        var ranked: [(tag: String, q: Double, position: Int)] = []
        for (position, part) in header.split(separator: ",").enumerated() {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { continue }
            var q = 1.0
            for parameter in pieces.dropFirst() where parameter.lowercased().hasPrefix("q=") {
                // A malformed q-value makes the entry unusable rather than preferred.
                q = Double(parameter.dropFirst(2)).map { min(max($0, 0), 1) } ?? 0
            }
            if q > 0 { ranked.append((tag, q, position)) }
        }
        ranked.sort { ($0.q, -$0.position) > ($1.q, -$1.position) }
        for entry in ranked {
            if let language = supported(entry.tag) { return language }
        }
        return .en
    }

    /// `tag` (lower case) as one of the page languages, or nil.
    static func supported(_ tag: String) -> Language? {
        let subtags = tag.split(separator: "-")
        switch subtags.first {
        case "en": return .en
        case "zh":
            // Simplified Chinese only: bare zh, the mainland region or the Hans script.
            guard subtags.count > 1 else { return .zhCN }
            return subtags.dropFirst().contains { $0 == "cn" || $0 == "hans" } ? .zhCN : nil
        default: return nil
        }
    }

    /// The language of a page for this request and (when signed in) account.
    static func of(_ request: Request, account: Account?) -> Language {
        if let stored = account?.language.flatMap(Language.init(rawValue:)) { return stored }
        return negotiate(acceptLanguage: request.headers[.acceptLanguage])
    }
}
