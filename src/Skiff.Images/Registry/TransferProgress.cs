namespace Skiff.Images.Registry;

public enum TransferStatus { Waiting, AlreadyExists, Mounted, Transferring, Extracting, Complete }

/// <summary>One blob's state during a pull or push, for a progress display.</summary>
/// <param name="MountedFrom">For <see cref="TransferStatus.Mounted"/>: the repository the registry linked it from.</param>
public sealed record TransferProgress(Digest Blob, TransferStatus Status, long Current, long Total, string? MountedFrom = null);
