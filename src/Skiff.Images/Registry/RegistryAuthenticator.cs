using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Skiff.Images.Registry;

/// <summary>Answers a registry's 401 the way the distribution spec's auth flow says: a Bearer challenge
/// sends us to its token service (anonymously, or with the stored credentials as basic auth), a Basic
/// challenge wants the credentials themselves. Authorizations are cached per scope.</summary>
internal sealed class RegistryAuthenticator(HttpClient http, string domain, RegistryCredentials? credentials)
{
    private readonly Dictionary<string, AuthenticationHeaderValue> _byScope = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public AuthenticationHeaderValue? Cached(string scope)
    {
        lock (_lock)
            return _byScope.GetValueOrDefault(scope);
    }

    /// <param name="scope">"repository:NAME:pull" or "repository:NAME:pull,push", or several such
    /// separated by spaces.</param>
    public AuthenticationHeaderValue Authorize(HttpResponseMessage unauthorized, string scope)
    {
        var challenge = unauthorized.Headers.WwwAuthenticate.FirstOrDefault()
                        ?? throw new RegistryException($"registry {domain} answered 401 without a WWW-Authenticate challenge");
        var header = challenge.Scheme.ToLowerInvariant() switch
        {
            "bearer" => FetchToken(ParseChallenge(challenge.Parameter ?? ""), scope),
            "basic" => BasicHeader() ?? throw NeedsLogin(),
            var other => throw new RegistryException($"registry {domain} asks for '{other}' authentication, which Skiff does not speak"),
        };
        lock (_lock)
            _byScope[scope] = header;
        return header;
    }

    public RegistryException NeedsLogin() =>
        new($"registry {domain} requires authentication: run `skiff login {domain}`" + (credentials is null ? "" : " (the stored credentials were refused)"));

    private AuthenticationHeaderValue? BasicHeader() =>
        credentials is null ? null : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")));

    private AuthenticationHeaderValue FetchToken(IReadOnlyDictionary<string, string> challenge, string scope)
    {
        if (!challenge.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
            throw new RegistryException($"registry {domain} sent a Bearer challenge without a usable realm");
        var query = new List<string>();
        if (challenge.TryGetValue("service", out var service))
            query.Add("service=" + Uri.EscapeDataString(service));
        // A cross-repository mount needs two: push on the target, pull on the source.
        foreach (var one in scope.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            query.Add("scope=" + Uri.EscapeDataString(one));
        var builder = new UriBuilder(realmUri) { Query = string.Join('&', (realmUri.Query.TrimStart('?') is { Length: > 0 } q ? [q] : Array.Empty<string>()).Concat(query)) };
        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        request.Headers.Authorization = BasicHeader();
        using var response = http.Send(request);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw NeedsLogin();
        if (!response.IsSuccessStatusCode)
            throw new RegistryException($"token service {realmUri.GetLeftPart(UriPartial.Path)} for {domain} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        using var body = response.Content.ReadAsStream();
        var token = JsonSerializer.Deserialize(body, RegistryJsonContext.Default.TokenResponse);
        var value = token?.Token ?? token?.AccessToken
                    ?? throw new RegistryException($"token service for {domain} returned no token");
        return new AuthenticationHeaderValue("Bearer", value);
    }

    /// <summary>Parses <c>realm="https://x",service="y",scope="repository:a:pull,push"</c>: quoted
    /// values may hold commas, so a plain split would cut the scope apart.</summary>
    internal static IReadOnlyDictionary<string, string> ParseChallenge(string parameters)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < parameters.Length)
        {
            while (i < parameters.Length && (parameters[i] == ',' || char.IsWhiteSpace(parameters[i])))
                i++;
            var eq = parameters.IndexOf('=', i);
            if (eq < 0)
                break;
            var key = parameters[i..eq].Trim();
            i = eq + 1;
            var value = new StringBuilder();
            if (i < parameters.Length && parameters[i] == '"')
            {
                for (i++; i < parameters.Length && parameters[i] != '"'; i++)
                {
                    if (parameters[i] == '\\' && i + 1 < parameters.Length)
                        i++;
                    value.Append(parameters[i]);
                }
                i++;
            }
            else
            {
                for (; i < parameters.Length && parameters[i] != ','; i++)
                    value.Append(parameters[i]);
            }
            result[key] = value.ToString().Trim();
        }
        return result;
    }
}
