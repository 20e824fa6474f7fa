using System.Text.Json;
using Skiff.Engine.Containers;

namespace Skiff.Engine.State;

/// <summary>
/// A container's <c>container.json</c> (see <see cref="RecordCopies"/>): its id, name, image and
/// request, rewritten when the name or the request change. How it ran is not in it: repair asks the
/// live processes.
/// </summary>
public static class ContainerCopy
{
    /// <param name="requestJson">the request as the database holds it.</param>
    public static void Write(string root, ContainerRecord record, string requestJson)
    {
        if (!Directory.Exists(Path.Join(root, "containers", record.Id))) return;
        RecordCopies.Write(RecordCopies.ContainerFile(root, record.Id), json =>
        {
            json.WriteStartObject();
            json.WriteString("id", record.Id);
            json.WriteString("name", record.Name);
            json.WriteString("image", record.Image);
            json.WriteString("imageId", record.ImageId);
            json.WriteString("created", ContainerStore.FormatTime(record.Created));
            json.WritePropertyName("request");
            json.WriteRawValue(requestJson, skipInputValidation: true);
            json.WriteEndObject();
        });
    }

    /// <summary>The record as created (status Created); null when the file is missing or unreadable.</summary>
    public static ContainerRecord? Read(string root, string id)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(RecordCopies.ContainerFile(root, id)));
            var o = document.RootElement;
            if (o.GetProperty("id").GetString() != id) return null;
            return new ContainerRecord
            {
                Id = id,
                Name = o.GetProperty("name").GetString()!,
                Image = o.GetProperty("image").GetString()!,
                ImageId = o.GetProperty("imageId").GetString()!,
                Created = ContainerStore.ParseTime(o.GetProperty("created").GetString()!),
                Request = o.GetProperty("request").Deserialize(EngineJson.Default.RunRequest)!,
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
