package io.nvmesh.service.http;

import io.nvmesh.service.web.StaticAssets;

import java.nio.ByteBuffer;
import java.util.Optional;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves the dashboard's files at {@code /} and {@code /ui/*} without a token (they hold no data: everything on the
 * page comes from the token-guarded API) and passes every other request on. The Content-Security-Policy keeps the
 * page from loading or sending anything outside its own origin.
 */
final class AssetHandler extends Handler.Wrapper {

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final StaticAssets assets;

    AssetHandler(Handler next, StaticAssets assets) {
        super(next);
        this.assets = assets;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        Optional<StaticAssets.Asset> found = method.equals("GET") || method.equals("HEAD")
                ? assets.find(Request.getPathInContext(request)) : Optional.empty();
        if (found.isEmpty()) {
            return super.handle(request, response, callback);
        }
        StaticAssets.Asset asset = found.get();
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, asset.contentType());
        // Revalidated on every load (an upgrade shows at once) but answered with 304 when unchanged.
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put(HttpHeader.ETAG, asset.etag());
        response.getHeaders().put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        if (asset.etag().equals(request.getHeaders().get(HttpHeader.IF_NONE_MATCH))) {
            response.setStatus(304);
            callback.succeeded();
            return true;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, asset.bytes().length);
        response.write(true, method.equals("HEAD") ? ByteBuffer.allocate(0) : ByteBuffer.wrap(asset.bytes()),
                callback);
        return true;
    }
}
