using BenchmarkDotNet.Running;

// `dotnet run -c Release --project benchmarks/TunnelGuard.Benchmarks -- --filter '*'`; see docs/benchmarks.md.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
