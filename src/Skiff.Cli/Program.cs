using Skiff.Cli;
using Skiff.Runtime.Start;

// The hidden init verb runs inside a new container on the start path: it must not pay for parsing
// the whole command tree, so it is dispatched before anything else is loaded.
if (args is ["init"]) return InitProcess.Run();
return SkiffCli.Run(args);
