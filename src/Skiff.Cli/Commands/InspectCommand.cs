using System.CommandLine;
using System.Text.Json;
using Skiff.Engine.Containers;

namespace Skiff.Cli.Commands;

public static class InspectCommand
{
    public static Command Build()
    {
        var containers = ContainerArguments.Many();
        var command = new Command("inspect", "Show low-level information on containers, as Docker's JSON") { containers };
        command.SetAction(p =>
        {
            using var engine = ContainerArguments.Engine();
            var found = new List<Engine.State.ContainerRecord>();
            var status = ContainerArguments.ForEach(p.GetValue(containers)!, name => found.Add(engine.Find(name)));
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                w.WriteStartArray();
                foreach (var c in found) ContainerInspection.Write(w, c, engine);
                w.WriteEndArray();
            }
            stdout.Write("\n"u8);
            return status;
        });
        return command;
    }
}
