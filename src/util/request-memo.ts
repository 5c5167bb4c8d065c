/**
 * One answer per request: the checks a request passes through (the HTTP server before its body,
 * then the route's middlewares) share one lookup instead of one database round trip each. The
 * key is the request object itself, so an answer never outlives its request and never serves
 * another one. Without a request (tests calling the app directly, the CLI) nothing is remembered.
 */
export class RequestMemo<T> {
  private readonly answers = new WeakMap<object, Promise<T>>();

  get(request: object | undefined, compute: () => Promise<T>): Promise<T> {
    if (!request) return compute();
    let answer = this.answers.get(request);
    if (!answer) this.answers.set(request, (answer = compute()));
    return answer;
  }
}
