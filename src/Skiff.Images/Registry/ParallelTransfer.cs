using System.Runtime.ExceptionServices;

namespace Skiff.Images.Registry;

internal static class ParallelTransfer
{
    /// <summary>Parallel.For that fails with the first transfer's own exception rather than an
    /// AggregateException, so the user reads "digest mismatch", not "one or more errors occurred".</summary>
    public static void Run(int count, int parallelism, Action<int> transfer)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, transfer);
        }
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }
}
