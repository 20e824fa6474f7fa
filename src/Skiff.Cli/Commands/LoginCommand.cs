using System.CommandLine;
using Skiff.Engine.Images;
using Skiff.Images.Registry;
using Skiff.Linux;

namespace Skiff.Cli.Commands;

/// <summary><c>skiff login</c> and <c>skiff logout</c>: credentials per registry, checked against the
/// registry before they are stored (0600, under the Skiff root).</summary>
public static class LoginCommand
{
    private static readonly Option<string?> Username = new("--username", "-u") { Description = "Username" };
    private static readonly Option<string?> Password = new("--password", "-p") { Description = "Password (visible to other users in ps: prefer --password-stdin)" };
    private static readonly Option<bool> PasswordStdin = new("--password-stdin") { Description = "Read the password from stdin" };
    private static readonly Argument<string> Server = new("server") { Description = "Registry host[:port]; default docker.io", Arity = ArgumentArity.ZeroOrOne };

    public static Command BuildLogin()
    {
        var command = new Command("login", "Log in to a registry") { Username, Password, PasswordStdin, ImageEnvironment.InsecureRegistry, Server };
        command.SetAction(Login);
        return command;
    }

    public static Command BuildLogout()
    {
        var command = new Command("logout", "Forget the credentials of a registry") { Server };
        command.SetAction(Logout);
        return command;
    }

    private static int Login(ParseResult p)
    {
        var server = Domain(p);
        var username = p.GetValue(Username) ?? Prompt("Username: ");
        var password = p.GetValue(PasswordStdin) ? Console.In.ReadToEnd().TrimEnd('\r', '\n') : p.GetValue(Password) ?? Prompt("Password: ");
        if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
            throw new InvalidInputException("login needs a username and a password (-u USER --password-stdin)");

        ImageEnvironment.Transfers(p).Login(server, new RegistryCredentials(username, password));
        Console.WriteLine("Login Succeeded");
        return 0;
    }

    private static int Logout(ParseResult p)
    {
        var server = Domain(p);
        Console.WriteLine(ImageEnvironment.Transfers(p).Logout(server)
            ? $"Removing login credentials for {server}"
            : $"Not logged in to {server}");
        return 0;
    }

    private static string Domain(ParseResult p) => RegistryTransfers.ServerDomain(p.GetValue(Server));

    private static string Prompt(string label)
    {
        if (Console.IsInputRedirected)
            throw new InvalidInputException("no terminal to ask on: pass -u USER and --password-stdin");
        Console.Error.Write(label);
        return Console.ReadLine() ?? "";
    }
}
