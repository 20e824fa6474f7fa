using System.Text.Json.Nodes;

namespace Skiff.Cli.Templates;

/// <summary>
/// Runs a parse tree over a value, as Go's text/template executes (with Docker's
/// <c>missingkey=error</c>: a field that isn't there is an error, not "&lt;no value&gt;").
/// </summary>
public sealed class TemplateExecutor
{
    private readonly TemplateSource _source;
    private readonly TextWriter _output;
    private readonly object? _root;
    private readonly string? _rootTypeName;
    private readonly List<(string Name, object? Value)> _variables = [];

    private sealed class LoopBreak(bool isBreak) : Exception { public bool IsBreak { get; } = isBreak; }

    /// <param name="rootTypeName">Docker's formats for ps, images and the like run on a Go struct:
    /// a missing field of the top-level value is then named "in type *formatter.ContainerContext".</param>
    public TemplateExecutor(TemplateSource source, TextWriter output, object? root, string? rootTypeName)
    {
        _source = source;
        _output = output;
        _root = root;
        _rootTypeName = rootTypeName;
        _variables.Add(("$", root));
    }

    public void Run(List<TemplateNode> nodes) => Walk(nodes, _root);

    private void Walk(List<TemplateNode> nodes, object? dot)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    _output.Write(text.Text);
                    break;
                case ActionNode action:
                    var value = Pipeline(action.Pipeline, dot);
                    if (action.Pipeline.Variables.Count == 0) _output.Write(TemplateValues.Print(value));
                    break;
                case BranchNode branch:
                    Branch(branch, dot);
                    break;
                case LoopControlNode control:
                    throw new LoopBreak(control.IsBreak);
            }
        }
    }

    private void Branch(BranchNode branch, object? dot)
    {
        var scope = _variables.Count;
        try
        {
            var value = Pipeline(branch.Pipeline, dot, declareNow: branch.Keyword != "range");
            if (branch.Keyword == "range") { Range(branch, value, dot); return; }
            if (TemplateValues.IsTrue(value)) Walk(branch.Body, branch.Keyword == "with" ? value : dot);
            else if (branch.Else is { } otherwise) Walk(otherwise, dot);
        }
        finally
        {
            _variables.RemoveRange(scope, _variables.Count - scope);
        }
    }

    private void Range(BranchNode branch, object? value, object? dot)
    {
        IEnumerable<(object? Key, object? Element)> items = value switch
        {
            null => [],
            JsonObject o => o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => ((object?)p.Key, TemplateValues.FromJson(p.Value))).ToList(),
            long n => Enumerable.Range(0, (int)Math.Max(0, n)).Select(i => ((object?)(long)i, (object?)(long)i)).ToList(),
            _ when TemplateValues.AsList(value) is { } list => list.Select((e, i) => ((object?)(long)i, e)).ToList(),
            _ => throw Error(branch.Pipeline.Offset, "range", $"range can't iterate over {TemplateValues.Print(value)}"),
        };
        var any = false;
        var names = branch.Pipeline.Variables;
        foreach (var (key, element) in items)
        {
            any = true;
            var scope = _variables.Count;
            if (names.Count == 1) _variables.Add((names[0], element));
            if (names.Count == 2) { _variables.Add((names[0], key)); _variables.Add((names[1], element)); }
            try
            {
                Walk(branch.Body, element);
            }
            catch (LoopBreak control)
            {
                if (control.IsBreak) break;
            }
            finally
            {
                _variables.RemoveRange(scope, _variables.Count - scope);
            }
        }
        if (!any && branch.Else is { } otherwise) Walk(otherwise, dot);
    }

    private object? Pipeline(PipelineNode pipeline, object? dot, bool declareNow = true)
    {
        object? value = null;
        var first = true;
        foreach (var command in pipeline.Commands)
        {
            value = Command(command, dot, first ? null : new Final(value));
            first = false;
        }
        if (!declareNow) return value;
        foreach (var name in pipeline.Variables)
        {
            if (!pipeline.IsAssignment) { _variables.Add((name, value)); continue; }
            var i = _variables.FindLastIndex(v => v.Name == name);
            _variables[i] = (name, value);
        }
        return value;
    }

    /// <summary>The previous command's value in a pipeline, passed as the last argument.</summary>
    private sealed record Final(object? Value);

    private object? Command(CommandNode command, object? dot, Final? final)
    {
        var head = command.Operands[0];
        var args = command.Operands.Skip(1).ToList();
        if (head is FunctionNode function) return Call(function, args, dot, final);
        if (args.Count > 0 || final is not null)
            throw Error(head.Offset, head.Text, $"can't give argument to non-function {head.Text}");
        if (head is NilNode) throw Error(head.Offset, head.Text, "nil is not a command");
        return Operand(head, dot);
    }

    private object? Call(FunctionNode function, List<OperandNode> args, object? dot, Final? final)
    {
        try
        {
            if (function.Name is TemplateFunctions.And or TemplateFunctions.Or)
                return ShortCircuit(function, args, dot, final);
            var values = args.Select(a => Operand(a, dot)).ToList();
            if (final is not null) values.Add(final.Value);
            return TemplateFunctions.Call(function.Name, values);
        }
        catch (TemplateCallException e)
        {
            throw Error(function.Offset, function.Name, e.Message);
        }
    }

    /// <summary>Go's and/or: the first false (and) or true (or) argument, evaluating no further.</summary>
    private object? ShortCircuit(FunctionNode function, List<OperandNode> args, object? dot, Final? final)
    {
        var count = args.Count + (final is null ? 0 : 1);
        if (count < 1) throw new TemplateCallException($"wrong number of args for {function.Name}: want at least 1 got 0");
        object? value = null;
        for (var i = 0; i < count; i++)
        {
            value = i < args.Count ? Operand(args[i], dot) : final!.Value;
            if (TemplateValues.IsTrue(value) == (function.Name == TemplateFunctions.Or)) return value;
        }
        return value;
    }

    private object? Operand(OperandNode operand, object? dot) => operand switch
    {
        DotNode => dot,
        NilNode => null,
        LiteralNode literal => literal.Value,
        FieldNode field => Fields(field, dot, field.Fields),
        VariableNode variable => Fields(variable, _variables.FindLast(v => v.Name == variable.Name).Value, variable.Fields),
        SubPipelineNode sub => Fields(sub, Pipeline(sub.Pipeline, dot), sub.Fields),
        FunctionNode function => Call(function, [], dot, null),
        _ => null,
    };

    private object? Fields(OperandNode node, object? value, string[] fields)
    {
        foreach (var field in fields)
        {
            value = value switch
            {
                JsonObject o when o.TryGetPropertyValue(field, out var child) => TemplateValues.FromJson(child),
                JsonObject o when ReferenceEquals(o, _root) && _rootTypeName is { } type =>
                    throw Error(node.Offset, node.Text, $"can't evaluate field {field} in type {type}"),
                JsonObject => throw Error(node.Offset, node.Text, $"map has no entry for key \"{field}\""),
                null => throw Error(node.Offset, node.Text, $"nil pointer evaluating interface {{}}.{field}"),
                _ => throw Error(node.Offset, node.Text, $"can't evaluate field {field} in type {TemplateValues.TypeName(value)}"),
            };
        }
        return value;
    }

    private TemplateExecutionException Error(int offset, string node, string what) =>
        new(_source.Name, _source.LocationOf(offset), node, what);
}
