package io.nvmesh.service.http;

/** An endpoint's answer: a status and a value to send as JSON. */
record ApiResponse(int status, Object body) {

    static ApiResponse ok(Object body) {
        return new ApiResponse(200, body);
    }
}
