import PropertyBased
import Testing
import YotiAPI

/// The laws of RFC 7386 merge patches, over random documents (the RFC's own examples are in
/// `JSONMergePatchTests`).
@Suite("JSON merge patch properties (RFC 7386)")
struct JSONMergePatchPropertyTests {
    @Test("an empty patch leaves any object unchanged")
    func emptyPatchIsIdentity() async {
        await propertyCheck(count: 500, input: RandomJSON.object()) { target in
            #expect(JSONMergePatch.apply([:], to: target) == target)
        }
    }

    @Test("a null member removes that member and leaves the others")
    func nullRemoves() async {
        await propertyCheck(count: 500, input: RandomJSON.object(), Gen.int(in: 0..<RandomJSON.keys.count)) {
            target, index in
            let key = RandomJSON.keys[index]
            guard case .object(var members) = target else {
                Issue.record("not an object")
                return
            }
            let result = JSONMergePatch.apply(.object([key: .null]), to: target)
            members[key] = nil
            #expect(result == .object(members))
        }
    }

    @Test("a patch that is not an object replaces the target")
    func nonObjectReplaces() async {
        await propertyCheck(count: 300, input: RandomJSON.value(), RandomJSON.nonObject()) { target, patch in
            #expect(JSONMergePatch.apply(patch, to: target) == patch)
        }
    }

    @Test("diff then patch: the patch computed from A to B turns A into B (B without null members)")
    func diffThenPatch() async {
        await propertyCheck(count: 500, input: RandomJSON.object(), RandomJSON.object(nulls: false)) { source, target in
            let patch = Self.mergeDiff(from: source, to: target)
            #expect(JSONMergePatch.apply(patch, to: source) == target, "patch \(patch.jsonString())")
        }
    }

    @Test("applying the same patch twice is the same as once")
    func idempotent() async {
        await propertyCheck(count: 500, input: RandomJSON.value(), RandomJSON.value()) { target, patch in
            let once = JSONMergePatch.apply(patch, to: target)
            #expect(JSONMergePatch.apply(patch, to: once) == once)
        }
    }

    @Test("no member a patch sets to null survives, at any depth")
    func patchNullsNeverSurvive() async {
        await propertyCheck(count: 500, input: RandomJSON.object(), RandomJSON.object()) { target, patch in
            #expect(Self.nullsSurvive(patch: patch, result: JSONMergePatch.apply(patch, to: target)) == false)
        }
    }

    /// The merge patch from `source` to `target` (RFC 7386 cannot express a null member in `target`).
    static func mergeDiff(from source: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let old) = source, case .object(let new) = target else { return target }
        var patch: [String: JSONValue] = [:]
        for key in old.keys where new[key] == nil { patch[key] = .null }
        for (key, value) in new where old[key] != value {
            patch[key] = old[key].map { mergeDiff(from: $0, to: value) } ?? value
        }
        return .object(patch)
    }

    /// Whether a member the patch deletes is still in the result (where the patch recursed into objects).
    static func nullsSurvive(patch: JSONValue, result: JSONValue) -> Bool {
        guard case .object(let members) = patch, case .object(let resultMembers) = result else { return false }
        return members.contains { key, value in
            value.isNull
                ? resultMembers[key] != nil : resultMembers[key].map { nullsSurvive(patch: value, result: $0) } ?? false
        }
    }
}
