namespace Skiff.Cli.Templates;

/// <summary>The parsed template: Go's text/template parse tree, for the subset Docker's formats use.</summary>
public abstract record TemplateNode(int Offset);

public sealed record TextNode(int Offset, string Text) : TemplateNode(Offset);

/// <summary><c>{{pipeline}}</c>: its value is printed unless the pipeline declares variables.</summary>
public sealed record ActionNode(int Offset, PipelineNode Pipeline) : TemplateNode(Offset);

/// <summary><c>if</c>, <c>range</c> and <c>with</c>: a pipeline, a body and an optional <c>else</c> body.</summary>
public sealed record BranchNode(int Offset, string Keyword, PipelineNode Pipeline, List<TemplateNode> Body, List<TemplateNode>? Else) : TemplateNode(Offset);

public sealed record LoopControlNode(int Offset, bool IsBreak) : TemplateNode(Offset);

/// <summary><c>$a, $b := cmd | cmd arg</c>.</summary>
public sealed record PipelineNode(int Offset, List<string> Variables, bool IsAssignment, List<CommandNode> Commands);

public sealed record CommandNode(int Offset, List<OperandNode> Operands);

/// <summary>An argument or the first word of a command; <see cref="Text"/> is what Go shows in "at &lt;...&gt;".</summary>
public abstract record OperandNode(int Offset, string Text);

public sealed record DotNode(int Offset) : OperandNode(Offset, ".");
public sealed record NilNode(int Offset) : OperandNode(Offset, "nil");
public sealed record LiteralNode(int Offset, string Text, object Value) : OperandNode(Offset, Text);
public sealed record FieldNode(int Offset, string Text, string[] Fields) : OperandNode(Offset, Text);
public sealed record VariableNode(int Offset, string Text, string Name, string[] Fields) : OperandNode(Offset, Text);
public sealed record FunctionNode(int Offset, string Name) : OperandNode(Offset, Name);

/// <summary>A parenthesized pipeline, with the fields read from its value: <c>(index . 0).Name</c>.</summary>
public sealed record SubPipelineNode(int Offset, string Text, PipelineNode Pipeline, string[] Fields) : OperandNode(Offset, Text);
