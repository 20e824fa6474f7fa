using Skiff.Cli;
using Skiff.Runtime.Start;

// The hidden init verb runs inside a new container on the start path: it must not pay for parsing
// the whole command tree, so it is dispatched before anything else is loaded.
Skiff.Linux.StartTimeline.Mark("main");
if (args is ["init"]) return InitProcess.Run();
// containerd, Podman and dockerd call the runc-compatible entry once per step of a container: it
// is this binary under the name skiff-runc, and it loads nothing of the skiff command tree.
if (Path.GetFileName(Environment.GetCommandLineArgs()[0]) == Skiff.Cli.Runc.RuncCli.Name)
{
    Skiff.Linux.FileDescriptors.MarkAllCloseOnExec();
    return Skiff.Cli.Runc.RuncCli.Run(args);
}
Skiff.Linux.FileDescriptors.MarkAllCloseOnExec();
// A container's monitor is as lean: it outlives the CLI and should hold nothing it doesn't use.
if (args is [Skiff.Engine.Monitor.MonitorLauncher.Verb, var id, .. var rest] && rest.Length <= 1)
    return Skiff.Engine.Monitor.MonitorLauncher.RunMonitor(id, attach: rest is [Skiff.Engine.Monitor.MonitorLauncher.AttachFirst]);
return SkiffCli.Run(args);
