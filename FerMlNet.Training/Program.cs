using FerMlNet.Core.Native;
using FerMlNet.Training.Cli;

// Before anything allocates a tensor: keep large activation buffers in the heap (see GlibcMalloc).
GlibcMalloc.Tune();
return FerCommandLine.Run(args);
