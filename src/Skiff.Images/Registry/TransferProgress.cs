namespace Skiff.Images.Registry;

public enum TransferStatus { Waiting, AlreadyExists, Transferring, Extracting, Complete }

/// <summary>One blob's state during a pull or push, for a progress display.</summary>
public sealed record TransferProgress(Digest Blob, TransferStatus Status, long Current, long Total);
