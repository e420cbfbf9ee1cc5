import BursarCore
import Testing

@Suite struct MoneyTests {
    @Test(arguments: [
        ("12.345678901", Int64(12_345_678_901)),
        ("0.5", 500_000_000),
        ("-3", -3_000_000_000),
        ("1e-3", 1_000_000),
        ("0.0000000005", 0),        // half to even: 0.5 nano rounds to 0
        ("0.0000000015", 2),        // 1.5 nano rounds to 2
        ("0.00000000250001", 3),    // above half rounds up
        ("2.50", 2_500_000_000),
    ])
    func parsesDecimalTextExactly(text: String, nanos: Int64) {
        #expect(Money(decimal: text)?.nanos == nanos)
    }

    @Test(arguments: ["", "abc", "1.2.3", "--1", "1e", "99999999999999999999999"])
    func rejectsWhatIsNotAnAmount(text: String) {
        #expect(Money(decimal: text) == nil)
    }

    @Test func printsNineDecimals() {
        #expect(Money(nanos: 12_345_678_901).decimalString == "12.345678901")
        #expect(Money(nanos: -5).decimalString == "-0.000000005")
        #expect(Money(nanos: 2_500_000_000).shortDecimalString == "2.50")
        #expect(Money(nanos: 75_000_000).shortDecimalString == "0.075")
    }

    @Test func costChargesEachKindOfTokenAtItsPriceAndRoundsOnce() throws {
        let price = ModelPrice(provider: "openai", model: "o3", effectiveFrom: 0,
                               inputPerMillion: Money(decimal: "2.00")!, cachedInputPerMillion: Money(decimal: "0.50")!,
                               outputPerMillion: Money(decimal: "8.00")!, reasoningPerMillion: Money(decimal: "9.00")!)
        // 700 uncached × 2.00 + 300 cached × 0.50 + 150 plain output × 8.00 + 50 reasoning × 9.00, per million
        let cost = try price.cost(input: 1000, cachedInput: 300, output: 200, reasoning: 50)
        #expect(cost.nanos == (700 * 2_000_000_000 + 300 * 500_000_000 + 150 * 8_000_000_000 + 50 * 9_000_000_000) / 1_000_000)
        // 1 token at $0.0015 per 1M → 1.5 nano, rounded half to even → 2
        let tiny = ModelPrice(provider: "p", model: "m", effectiveFrom: 0, inputPerMillion: Money(decimal: "0.0015")!,
                              outputPerMillion: .zero)
        #expect(try tiny.cost(input: 1, cachedInput: 0, output: 0, reasoning: 0).nanos == 2)
        #expect(try tiny.cost(input: 3, cachedInput: 0, output: 0, reasoning: 0).nanos == 4) // 4.5 → 4
    }

    /// Input 1.5, cached 0.5, output 2.5 and reasoning 3.5 nano-dollars per token.
    static let fractional = ModelPrice(provider: "groq", model: "tiny-frac", effectiveFrom: 0,
                                       inputPerMillion: Money(decimal: "0.0015")!, cachedInputPerMillion: Money(decimal: "0.0005")!,
                                       outputPerMillion: Money(decimal: "0.0025")!, reasoningPerMillion: Money(decimal: "0.0035")!)

    @Test(arguments: [
        // (input, cached, output, reasoning) → nanos; exact value in the comment.
        (1, 0, 0, 0, 2),   // 1.5 → 2 (a tie rounds up to even)
        (0, 0, 1, 0, 2),   // 2.5 → 2 (a tie rounds down to even)
        (1, 1, 0, 0, 0),   // 0.5 → 0
        (0, 0, 1, 1, 4),   // 3.5 → 4
        (3, 0, 0, 0, 4),   // 4.5 → 4
        (5, 0, 0, 0, 8),   // 7.5 → 8
        (1, 0, 1, 0, 4),   // 1.5 + 2.5 = 4: rounding each part (2 + 2) agrees here…
        (2, 1, 3, 1, 10),  // 1.5 + 0.5 + 5 + 3.5 = 10.5 → 10; each part rounded: 2 + 0 + 5 + 4 = 11
        (1, 0, 1, 1, 5),   // 1.5 + 3.5 = 5; each part rounded: 2 + 4 = 6; reasoning charged as output: 4
    ])
    func fractionalPricesRoundOnceHalfToEven(input: Int64, cached: Int64, output: Int64, reasoning: Int64, nanos: Int64) throws {
        #expect(try Self.fractional.cost(input: input, cachedInput: cached, output: output, reasoning: reasoning).nanos == nanos)
    }

    @Test func forecastCarriesTheRecentRateToMonthEnd() {
        let forecast = Forecast.monthEnd(monthToDate: Money(decimal: "100")!, recent: Money(decimal: "70")!,
                                         recentMillis: 7 * UTC.millisPerDay, remainingMillis: 10 * UTC.millisPerDay)
        #expect(forecast == Money(decimal: "200")!)
        #expect(Forecast.monthEnd(monthToDate: Money(decimal: "5")!, recent: .zero, recentMillis: 0, remainingMillis: 1) == Money(decimal: "5")!)
    }
}
