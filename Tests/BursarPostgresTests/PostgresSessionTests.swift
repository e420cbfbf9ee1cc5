@testable import BursarPostgres
import Testing

/// The stores written once use `?`; PostgreSQL's session numbers them.
struct PostgresSessionTests {
    @Test func eachQuestionMarkBecomesTheNextNumberedParameter() {
        #expect(PostgresSession.numbered("SELECT a FROM t WHERE b = ? AND c IN (?, ?) LIMIT ?")
            == "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT $4")
    }

    @Test func aQuestionMarkInsideQuotesStaysText() {
        #expect(PostgresSession.numbered("SELECT '?', \"a?\" FROM t WHERE x = ? AND y = 'it''s ?'")
            == "SELECT '?', \"a?\" FROM t WHERE x = $1 AND y = 'it''s ?'")
    }
}
