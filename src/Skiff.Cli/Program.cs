using Skiff.Cli;
using Skiff.Runtime.Start;

// The hidden init verb runs inside a new container on the start path: it must not pay for parsing
// the whole command tree, so it is dispatched before anything else is loaded.
Skiff.Linux.StartTimeline.Mark("main");
if (args is ["init"]) return InitProcess.Run();
Skiff.Linux.FileDescriptors.MarkAllCloseOnExec();
// A container's monitor is as lean: it outlives the CLI and should hold nothing it doesn't use.
if (args is [Skiff.Engine.Monitor.MonitorLauncher.Verb, var id, .. var rest] && rest.Length <= 1)
    return Skiff.Engine.Monitor.MonitorLauncher.RunMonitor(id, attach: rest is [Skiff.Engine.Monitor.MonitorLauncher.AttachFirst]);
return SkiffCli.Run(args);
