import Foundation
import PropertyBased
import Testing
import YotiAPI

/// Session specs carrying members this project does not model — at any depth, of any JSON type —
/// come back byte for byte from decoding and encoding, and typed edits leave them alone.
@Suite("Session spec round-trip properties")
struct SessionSpecPropertyTests {
    /// Where in a document an object sits: member names and array indexes.
    enum Step: Hashable, Sendable {
        case member(String)
        case index(Int)
    }

    static let base: [JSONValue] = SessionSpecTests.fixtures.compactMap { try? SessionSpecTests.spec($0) }

    /// A fixture spec with 1–6 unknown members, each added to a random object at any depth.
    static let specsWithUnknownFields = Generator<JSONValue, Shrink.None<JSONValue>> { rng in
        var spec = base[Int.random(in: 0..<base.count, using: &rng)]
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            let paths = objectPaths(in: spec)
            let path = paths[Int.random(in: 0..<paths.count, using: &rng)]
            let name = "x_future_\(UInt16.random(in: 0...UInt16.max, using: &rng))"
            spec = inserting(RandomJSON.make(depth: 2, nulls: true, using: &rng), named: name, at: path[...], in: spec)
        }
        return spec
    }

    @Test("decode and encode keep every unknown member, whatever its depth and type")
    func roundTrip() async throws {
        #expect(Self.base.count == 2)
        await propertyCheck(count: 100, input: Self.specsWithUnknownFields) { original in
            await Task.yield()  // CPU-bound: leave the cooperative pool to the network tests beside it
            let decoded = try JSONDecoder().decode(SessionSpec.self, from: Data(original.jsonBytes()))
            #expect(decoded.json == original)
            #expect(try JSONValue(jsonBytes: decoded.jsonBytes()) == original)
            #expect(try JSONValue(jsonBytes: Array(JSONEncoder().encode(decoded))) == original)
        }
    }

    @Test("typed edits change what they name and nothing else")
    func typedEditsLeaveUnknownMembers() async throws {
        await propertyCheck(count: 100, input: Self.specsWithUnknownFields, Gen.int(in: 301...86_400)) {
            original, ttl in
            await Task.yield()
            var spec = SessionSpec(json: original)
            spec.clientSessionTokenTTL = ttl
            spec.userTrackingID = "row-\(ttl)"
            let edited = try JSONValue(jsonBytes: spec.jsonBytes())
            #expect(edited["client_session_token_ttl"] == .integer(Int64(ttl)))
            #expect(edited["user_tracking_id"] == .string("row-\(ttl)"))
            let restore: JSONValue = [
                "client_session_token_ttl": original["client_session_token_ttl"] ?? .null,
                "user_tracking_id": original["user_tracking_id"] ?? .null,
            ]
            #expect(JSONMergePatch.apply(restore, to: edited) == original)
        }
    }

    /// Paths of every object in `json` (the root included).
    static func objectPaths(in json: JSONValue) -> [[Step]] {
        switch json {
        case .object(let members):
            return [[]] + members.flatMap { key, value in objectPaths(in: value).map { [.member(key)] + $0 } }
        case .array(let elements):
            return elements.enumerated().flatMap { index, value in objectPaths(in: value).map { [.index(index)] + $0 } }
        default:
            return []
        }
    }

    /// `json` with `value` added as member `name` of the object at `path`.
    static func inserting(_ value: JSONValue, named name: String, at path: ArraySlice<Step>, in json: JSONValue)
        -> JSONValue
    {
        switch (path.first, json) {
        case (nil, .object(var members)):
            members[name] = value
            return .object(members)
        case (.member(let key)?, .object(var members)):
            members[key] = inserting(value, named: name, at: path.dropFirst(), in: members[key] ?? .null)
            return .object(members)
        case (.index(let index)?, .array(var elements)):
            elements[index] = inserting(value, named: name, at: path.dropFirst(), in: elements[index])
            return .array(elements)
        default:
            return json
        }
    }
}
