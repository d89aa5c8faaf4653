using FerMlNet.Core.Native;
using FerMlNet.Cli;
using FerMlNet.Scoring;

// Before anything allocates a tensor: keep large activation buffers in the heap (see GlibcMalloc). Not for the
// long-running server and its load benchmarks: with trimming off, memory freed by 16 concurrent requests is never
// given back (fer bench load: 200 → 692 MB over 10,000 requests tuned; flat after warm-up untuned).
// CnnTrainer.Train tunes again on its own, so training inside any command keeps the fast allocator.
bool serving = args is ["serve", ..] or ["bench", "serve" or "load", ..];
if (serving) GlibcMalloc.LimitArenas(2); // first thing: arenas made before the cap stay (see GlibcMalloc.LimitArenas)
else GlibcMalloc.Tune();
OnnxRuntimeTelemetry.Disable(); // before any model loads: ONNX Runtime reads the switch once
return FerCommandLine.Run(args);
