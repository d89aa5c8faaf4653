namespace FerMlNet.Core.Quality;

/// <summary>Disjoint sets over 0..n-1 with path halving and union by size.</summary>
internal sealed class UnionFind
{
    private readonly int[] _parent;
    private readonly int[] _size;

    public UnionFind(int count)
    {
        _parent = Enumerable.Range(0, count).ToArray();
        _size = Enumerable.Repeat(1, count).ToArray();
    }

    public int Find(int x)
    {
        while (_parent[x] != x) x = _parent[x] = _parent[_parent[x]];
        return x;
    }

    public void Union(int a, int b)
    {
        a = Find(a);
        b = Find(b);
        if (a == b) return;
        if (_size[a] < _size[b]) (a, b) = (b, a);
        _parent[b] = a;
        _size[a] += _size[b];
    }

    /// <summary>Sets with at least <paramref name="minSize"/> members, each sorted, ordered by their first member.</summary>
    public List<int[]> Groups(int minSize = 2) =>
        Enumerable.Range(0, _parent.Length).GroupBy(Find)
            .Where(g => g.Count() >= minSize)
            .Select(g => g.Order().ToArray())
            .OrderBy(g => g[0]).ToList();
}
