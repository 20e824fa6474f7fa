using Skiff.Linux;

namespace Skiff.Runtime.Seccomp;

/// <summary>
/// Writes a BPF program from its end to its start. Classic BPF jumps only forward, so writing
/// backwards means every jump's target is already placed and its distance known; a target beyond a
/// conditional jump's 8-bit reach gets an unconditional jump (32-bit reach) placed right after it.
/// </summary>
internal sealed class BpfProgramBuilder
{
    private readonly List<SockFilter> _reversed = [];
    private readonly Dictionary<uint, Label> _returns = [];

    /// <summary>An instruction already written, by its distance from the program's end.</summary>
    public readonly record struct Label(int FromEnd);

    public int Count => _reversed.Count;

    /// <summary>A return of this value, shared by every jump that ends there.</summary>
    public Label Return(uint value)
    {
        if (!_returns.TryGetValue(value, out var label))
            _returns[value] = label = Emit(new SockFilter(Bpf.Return, 0, 0, value));
        return label;
    }

    public Label Load(uint offset) => Emit(new SockFilter(Bpf.LoadWord, 0, 0, offset));

    public Label And(uint mask) => Emit(new SockFilter(Bpf.AndConstant, 0, 0, mask));

    public Label Jump(Label target) => Emit(new SockFilter(Bpf.JumpAlways, 0, 0, (uint)Distance(target)));

    /// <summary>A comparison of the accumulator with <paramref name="k"/> that goes on at one of two labels.</summary>
    public Label Branch(ushort code, uint k, Label onTrue, Label onFalse)
    {
        if (Distance(onFalse) > Bpf.MaxConditionalJump) onFalse = Jump(onFalse);
        if (Distance(onTrue) > Bpf.MaxConditionalJump) onTrue = Jump(onTrue);
        // The true side's trampoline may have pushed the false side just out of reach.
        if (Distance(onFalse) > Bpf.MaxConditionalJump) onFalse = Jump(onFalse);
        return Emit(new SockFilter(code, (byte)Distance(onTrue), (byte)Distance(onFalse), k));
    }

    public SockFilter[] ToProgram()
    {
        var program = _reversed.ToArray();
        Array.Reverse(program);
        return program;
    }

    /// <summary>How many instructions an instruction written now skips to reach <paramref name="target"/>.</summary>
    private int Distance(Label target) => _reversed.Count - target.FromEnd - 1;

    private Label Emit(SockFilter instruction)
    {
        _reversed.Add(instruction);
        return new Label(_reversed.Count - 1);
    }
}
