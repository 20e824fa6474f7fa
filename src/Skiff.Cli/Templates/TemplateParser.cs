using System.Globalization;
using System.Text;

namespace Skiff.Cli.Templates;

/// <summary>
/// Builds the parse tree from the tokens, with the checks Go makes before executing anything:
/// functions and variables must exist, control structures must be closed, pipelines must have a value.
/// </summary>
public sealed class TemplateParser
{
    private readonly TemplateSource _source;
    private readonly List<TemplateToken> _tokens;
    private readonly List<string> _variables = ["$"];
    private int _next;
    private int _rangeDepth;

    private TemplateParser(TemplateSource source)
    {
        _source = source;
        _tokens = new TemplateLexer(source).Lex();
    }

    public static List<TemplateNode> Parse(TemplateSource source)
    {
        var parser = new TemplateParser(source);
        var (list, stop) = parser.ParseList();
        if (stop is not null) throw source.ParseError(stop.Offset, $"unexpected {{{{{stop.Text}}}}}");
        return list;
    }

    /// <summary>Nodes up to the end of input, or up to an <c>{{else}}</c> or <c>{{end}}</c> (returned, its action's
    /// opening consumed and the keyword token next).</summary>
    private (List<TemplateNode> Nodes, TemplateToken? Stop) ParseList()
    {
        var nodes = new List<TemplateNode>();
        while (true)
        {
            var token = Take();
            switch (token.Kind)
            {
                case TokenKind.EndOfInput:
                    return (nodes, null);
                case TokenKind.Text:
                    nodes.Add(new TextNode(token.Offset, token.Text));
                    continue;
                case TokenKind.LeftDelim:
                    var first = Peek();
                    if (first.Kind == TokenKind.Keyword && first.Text is "else" or "end") return (nodes, first);
                    nodes.Add(ParseAction(token));
                    continue;
                default:
                    throw Unexpected(token, "input");
            }
        }
    }

    private TemplateNode ParseAction(TemplateToken open)
    {
        var first = Peek();
        if (first.Kind != TokenKind.Keyword)
        {
            var pipeline = ParsePipeline("command", allowDeclarations: true);
            Expect(TokenKind.RightDelim, "command");
            return new ActionNode(open.Offset, pipeline);
        }
        Take();
        switch (first.Text)
        {
            case "if" or "range" or "with":
                return ParseBranch(first);
            case "break" or "continue":
                if (_rangeDepth == 0) throw _source.ParseError(first.Offset, $"{{{{{first.Text}}}}} outside {{{{range}}}}");
                Expect(TokenKind.RightDelim, first.Text);
                return new LoopControlNode(first.Offset, first.Text == "break");
            default:
                throw _source.ParseError(first.Offset, $"{{{{{first.Text}}}}} is not supported in a --format template");
        }
    }

    /// <summary><c>if</c>/<c>range</c>/<c>with</c> up to its <c>{{end}}</c>; <c>{{else if x}}</c> is an <c>if</c> inside the else.</summary>
    private BranchNode ParseBranch(TemplateToken keyword)
    {
        var scope = _variables.Count;
        var pipeline = ParsePipeline(keyword.Text, allowDeclarations: true);
        Expect(TokenKind.RightDelim, keyword.Text);
        if (keyword.Text == "range") _rangeDepth++;
        var (body, stop) = ParseList();
        if (keyword.Text == "range") _rangeDepth--;
        if (stop is null) throw _source.ParseError(_source.Text.Length, "unexpected EOF");
        List<TemplateNode>? elseBody = null;
        Take();
        if (stop.Text == "else")
        {
            if (Peek() is { Kind: TokenKind.Keyword, Text: "if" or "with" } chained && keyword.Text != "range")
            {
                // {{else if x}} ... {{end}}: one {{end}} closes both, as in Go.
                Take();
                _variables.RemoveRange(scope, _variables.Count - scope);
                elseBody = [ParseBranch(chained)];
                return new BranchNode(keyword.Offset, keyword.Text, pipeline, body, elseBody);
            }
            Expect(TokenKind.RightDelim, "else");
            (elseBody, stop) = ParseList();
            if (stop is null) throw _source.ParseError(_source.Text.Length, "unexpected EOF");
            if (stop.Text != "end") throw _source.ParseError(stop.Offset, "expected end; found {{else}}");
            Take();
        }
        Expect(TokenKind.RightDelim, "end");
        _variables.RemoveRange(scope, _variables.Count - scope);
        return new BranchNode(keyword.Offset, keyword.Text, pipeline, body, elseBody);
    }

    private PipelineNode ParsePipeline(string context, bool allowDeclarations)
    {
        var offset = Peek().Offset;
        var declared = new List<string>();
        var isAssignment = false;
        if (allowDeclarations && Peek() is { Kind: TokenKind.Variable, Fields.Length: 0 })
        {
            var save = _next;
            var names = new List<string> { Take().Text };
            if (Peek().Kind == TokenKind.Comma && context == "range")
            {
                Take();
                if (Peek() is not { Kind: TokenKind.Variable, Fields.Length: 0 }) throw _source.ParseError(Peek().Offset, "range can only initialize variables");
                names.Add(Take().Text);
            }
            if (Peek().Kind is TokenKind.Declare or TokenKind.Assign)
            {
                isAssignment = Take().Kind == TokenKind.Assign;
                declared = names;
            }
            else _next = save;
        }
        var commands = new List<CommandNode>();
        while (true)
        {
            var command = ParseCommand();
            if (command.Operands.Count == 0)
                throw _source.ParseError(Peek().Offset, context is "if" or "range" or "with" ? $"missing value for {context}" : "missing value for command");
            commands.Add(command);
            if (Peek().Kind != TokenKind.Pipe) break;
            Take();
        }
        // Declared after the pipeline is read: {{$x := $x}} reads the outer $x.
        foreach (var name in declared)
        {
            if (isAssignment) Lookup(name, offset);
            else _variables.Add(name);
        }
        return new PipelineNode(offset, declared, isAssignment, commands);
    }

    private CommandNode ParseCommand()
    {
        var offset = Peek().Offset;
        var operands = new List<OperandNode>();
        while (Peek().Kind is not (TokenKind.Pipe or TokenKind.RightDelim or TokenKind.RightParen or TokenKind.EndOfInput))
        {
            if (operands.Count > 0 && !Peek().Spaced) throw _source.ParseError(Peek().Offset, $"missing space before \"{Peek().Text}\"");
            operands.Add(ParseOperand());
        }
        if (Peek().Kind == TokenKind.EndOfInput) throw _source.ParseError(Peek().Offset, "unclosed action");
        return new CommandNode(offset, operands);
    }

    private OperandNode ParseOperand()
    {
        var token = Take();
        switch (token.Kind)
        {
            case TokenKind.Dot: return new DotNode(token.Offset);
            case TokenKind.Nil: return new NilNode(token.Offset);
            case TokenKind.Bool: return new LiteralNode(token.Offset, token.Text, token.Text == "true");
            case TokenKind.String: return new LiteralNode(token.Offset, token.Text, Unquote(token));
            case TokenKind.Char: return new LiteralNode(token.Offset, token.Text, (long)char.ConvertToUtf32(Unquote(token), 0));
            case TokenKind.Number: return new LiteralNode(token.Offset, token.Text, Number(token));
            case TokenKind.Field: return new FieldNode(token.Offset, token.Text, token.Fields);
            case TokenKind.Variable:
                var name = token.Text[..(token.Text.Length - token.Fields.Sum(f => f.Length + 1))];
                Lookup(name, token.Offset);
                return new VariableNode(token.Offset, token.Text, name, token.Fields);
            case TokenKind.Identifier:
                if (!TemplateFunctions.Exists(token.Text)) throw _source.ParseError(token.Offset, $"function \"{token.Text}\" not defined");
                return new FunctionNode(token.Offset, token.Text);
            case TokenKind.LeftParen:
                var pipeline = ParsePipeline("parenthesized pipeline", allowDeclarations: false);
                var close = Expect(TokenKind.RightParen, "parenthesized pipeline");
                var fields = Peek() is { Kind: TokenKind.Field, Spaced: false } chain ? Take().Fields : [];
                var end = fields.Length > 0 ? _tokens[_next - 1] : close;
                return new SubPipelineNode(token.Offset, _source.Text[token.Offset..(end.Offset + end.Text.Length)], pipeline, fields);
            default:
                throw Unexpected(token, "operand");
        }
    }

    private void Lookup(string name, int offset)
    {
        if (!_variables.Contains(name)) throw _source.ParseError(offset, $"undefined variable \"{name}\"");
    }

    private TemplateToken Peek() => _tokens[_next];
    private TemplateToken Take() => _tokens[_next++];

    private TemplateToken Expect(TokenKind kind, string context)
    {
        var token = Take();
        if (token.Kind == kind) return token;
        if (token.Kind == TokenKind.EndOfInput) throw _source.ParseError(token.Offset, "unclosed action");
        throw Unexpected(token, context);
    }

    private TemplateParseException Unexpected(TemplateToken token, string context) =>
        _source.ParseError(token.Offset, $"unexpected \"{token.Text}\" in {context}");

    private object Number(TemplateToken token)
    {
        var text = token.Text.Replace("_", "");
        var negative = text.StartsWith('-');
        var digits = text.TrimStart('+', '-');
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && long.TryParse(digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            return negative ? -hex : hex;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return integer;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)) return real;
        throw _source.ParseError(token.Offset, $"bad number syntax: \"{token.Text}\"");
    }

    /// <summary>Go's quoting rules for "..." (escapes), `...` (raw) and '.' (a character).</summary>
    private string Unquote(TemplateToken token)
    {
        var body = token.Text[1..^1];
        if (token.Text[0] == '`') return body;
        var result = new StringBuilder();
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != '\\') { result.Append(body[i]); continue; }
            if (++i >= body.Length) break;
            switch (body[i])
            {
                case 'n': result.Append('\n'); break;
                case 't': result.Append('\t'); break;
                case 'r': result.Append('\r'); break;
                case '\\' or '"' or '\'': result.Append(body[i]); break;
                case 'x' when i + 2 < body.Length && int.TryParse(body.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b):
                    result.Append((char)b); i += 2; break;
                case 'u' when i + 4 < body.Length && int.TryParse(body.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var u):
                    result.Append((char)u); i += 4; break;
                default: throw _source.ParseError(token.Offset, $"invalid syntax: {token.Text}");
            }
        }
        return result.ToString();
    }
}
