namespace Skiff.Engine.Containers;

/// <summary>Docker-style adjective_surname names for containers given no --name.</summary>
public static class NameGenerator
{
    private static readonly string[] Adjectives =
    [
        "admiring", "bold", "brave", "calm", "clever", "eager", "elated", "festive", "focused", "gallant",
        "happy", "jolly", "keen", "kind", "lucid", "modest", "nifty", "quirky", "serene", "sharp",
        "stoic", "sweet", "tender", "upbeat", "vibrant", "wizardly", "zealous", "youthful", "epic", "dazzling",
    ];

    private static readonly string[] Names =
    [
        "lovelace", "hopper", "turing", "ritchie", "thompson", "torvalds", "knuth", "dijkstra", "liskov",
        "hamilton", "curie", "noether", "shannon", "babbage", "goldwasser", "lamport", "kernighan", "pike",
        "wozniak", "allen", "bell", "engelbart", "feynman", "galileo", "hypatia", "kepler", "meitner", "pascal",
    ];

    public static string Next(Func<string, bool> taken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var name = $"{Adjectives[Random.Shared.Next(Adjectives.Length)]}_{Names[Random.Shared.Next(Names.Length)]}";
            if (attempt > 10) name += Random.Shared.Next(100);
            if (!taken(name)) return name;
        }
    }
}
