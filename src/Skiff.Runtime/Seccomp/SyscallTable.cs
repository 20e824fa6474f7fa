namespace Skiff.Runtime.Seccomp;

/// <summary>
/// Syscall names to numbers on each x86 ABI, from the kernel's headers (syscalls.tsv, made by
/// scripts/gen-syscall-table). A profile names syscalls; the kernel hands the filter numbers.
/// </summary>
internal sealed class SyscallTable
{
    private readonly Dictionary<string, int[]> _numbers;
    private readonly int[] _highest = new int[3];

    private SyscallTable(Dictionary<string, int[]> numbers)
    {
        _numbers = numbers;
        foreach (var abi in Enum.GetValues<SyscallAbi>())
            _highest[(int)abi] = numbers.Values.Max(n => n[(int)abi]);
    }

    public static SyscallTable X86 { get; } = Load();

    /// <summary>The number the filter sees for <paramref name="name"/> (x32's with its ABI bit), or null where that ABI lacks it.</summary>
    public uint? Number(string name, SyscallAbi abi) =>
        _numbers.TryGetValue(name, out var n) && n[(int)abi] >= 0 ? WithAbiBit((uint)n[(int)abi], abi) : null;

    /// <summary>The highest number this table knows on the ABI: anything above is newer than Skiff.</summary>
    public uint Highest(SyscallAbi abi) => WithAbiBit((uint)_highest[(int)abi], abi);

    public IEnumerable<string> Names => _numbers.Keys;

    private static uint WithAbiBit(uint number, SyscallAbi abi) => abi == SyscallAbi.X32 ? number | SyscallAbis.X32SyscallBit : number;

    private static SyscallTable Load()
    {
        using var stream = typeof(SyscallTable).Assembly.GetManifestResourceStream("Skiff.Runtime.Seccomp.syscalls.tsv")
            ?? throw new InvalidOperationException("the syscall table is missing from this build of skiff");
        using var reader = new StreamReader(stream);
        var numbers = new Dictionary<string, int[]>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith('#') || line.Length == 0) continue;
            var cells = line.Split('\t');
            numbers[cells[0]] = [Cell(cells[1]), Cell(cells[2]), Cell(cells[3])];
        }
        return new SyscallTable(numbers);
    }

    private static int Cell(string text) => text == "-" ? -1 : int.Parse(text);
}
