namespace FerMlNet.Web;

/// <summary>A request the API refuses: the HTTP status and a message for the client (never a stack trace).</summary>
internal sealed class ApiError(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public IResult ToResult() => Results.Json(new ErrorResponse(Message), statusCode: Status);

    public static Task WriteAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorResponse(message));
    }
}

/// <summary>The body of every 4xx/5xx answer: <c>{ "error": "..." }</c>.</summary>
public sealed record ErrorResponse(string Error);
