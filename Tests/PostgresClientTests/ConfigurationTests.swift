import Foundation
import Testing

@testable import PostgresClient

@Suite("PostgresConfiguration")
struct ConfigurationTests {
    @Test("a URI's parts are read, and the password is never shown")
    func uriParts() throws {
        let configuration = try PostgresConfiguration(
            "postgres://alice:S3cr3t-pw@db.example:6543/idv?application_name=nightly")
        #expect(configuration.host == "db.example")
        #expect(configuration.port == "6543")
        #expect(configuration.database == "idv")
        #expect(configuration.user == "alice")
        #expect(configuration.applicationName == "nightly")
        #expect(configuration.redactedDescription == "host=db.example port=6543 dbname=idv user=alice")
        for text in [configuration.description, configuration.redactedDescription, String(reflecting: configuration)] {
            #expect(!text.contains("S3cr3t-pw"))
        }
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains("S3cr3t-pw"))
        #expect(configuration.unredactedConnectionString.contains("S3cr3t-pw"))
    }

    @Test("a conninfo string's parts and connect_timeout are read")
    func conninfoParts() throws {
        let configuration = try PostgresConfiguration("host=/tmp/sock port=5433 dbname=x user=bob connect_timeout=3")
        #expect(configuration.host == "/tmp/sock")
        #expect(configuration.port == "5433")
        #expect(configuration.database == "x")
        #expect(configuration.connectTimeout == .seconds(3))
        #expect(configuration.withDatabase("other").database == "other")
        #expect(configuration.withDatabase("other").host == "/tmp/sock")
    }

    @Test("the default connect timeout is 10 seconds and the application name idv-batch")
    func defaults() throws {
        let configuration = try PostgresConfiguration("host=localhost")
        #expect(configuration.connectTimeout == .seconds(10))
        #expect(configuration.applicationName == "idv-batch")
        let keywords = Dictionary(configuration.connectionKeywords().map { ($0.keyword, $0.value) }) { $1 }
        #expect(keywords["connect_timeout"] == "10")
        #expect(keywords["client_encoding"] == "UTF8")
    }

    @Test(
        "an unparseable string is refused without repeating it (regression: libpq quotes the whole URI in some errors)",
        arguments: [
            "postgres://bob:Hunter2pw@host/db?no_such_option=1", "postgresql://bob:Hunter2pw@[db/idv",
            "host=db password Hunter2pw", "host=db password='Hunter2pw",
            // A quote inside the password shifted the quoted/unquoted alternation and printed "ter2pw@[db".
            #"postgresql://bob:Hun"ter2pw@[db/idv"#,
        ])
    func invalid(connectionString: String) throws {
        let error = try #require(throws: PostgresError.self) { try PostgresConfiguration(connectionString) }
        #expect(error.code == .invalidConfiguration)
        #expect(!error.description.contains("Hunter2pw") && !error.description.contains("ter2pw"), "\(error)")
        #expect(error.description.contains("postgres://user@host:5432/dbname"))
    }

    @Test("DATABASE_URL is used when set; otherwise libpq's PG* defaults apply")
    func environment() throws {
        let fromURL = try PostgresConfiguration.fromEnvironment(["DATABASE_URL": "postgres://u@h1:1234/d1"])
        #expect(fromURL.redactedDescription == "host=h1 port=1234 dbname=d1 user=u")
        setenv("PGHOST", "/tmp/from-pghost", 1)
        defer { unsetenv("PGHOST") }
        let fromPG = try PostgresConfiguration.fromEnvironment([:])
        #expect(fromPG.host == "/tmp/from-pghost")
    }

    @Test("conninfo values with quotes and backslashes survive the round trip")
    func quoting() throws {
        let original = try PostgresConfiguration("host=h dbname='we ird\\'db' password='p\\\\w'")
        let copy = try PostgresConfiguration(original.unredactedConnectionString)
        #expect(copy.database == "we ird'db")
        #expect(copy.unredactedConnectionString == original.unredactedConnectionString)
    }
}
