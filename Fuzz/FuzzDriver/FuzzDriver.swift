/// Runs libFuzzer (linked by `-sanitize=fuzzer`) with a Swift function as the target: the
/// executable's own main hands the command line to `LLVMFuzzerRunDriver`.
public enum FuzzDriver {
    public typealias Target = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

    @_silgen_name("LLVMFuzzerRunDriver")
    static func runDriver(_ argc: UnsafeMutablePointer<Int32>,
                          _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                          _ target: Target) -> Int32

    public static func run(_ target: Target) -> Never {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runDriver(&argc, &argv, target))
    }

    @_silgen_name("exit")
    static func exit(_ status: Int32) -> Never
}
