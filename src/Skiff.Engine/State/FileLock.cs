namespace Skiff.Engine.State;

/// <summary>An exclusive lock between skiff processes on a file of the state root; the kernel drops it if the holder dies.</summary>
public static class FileLock
{
    public static FileStream Hold(string path)
    {
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock: one skiff process at a time.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                Thread.Sleep(5);
            }
        }
    }
}
