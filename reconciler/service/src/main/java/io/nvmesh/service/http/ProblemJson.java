package io.nvmesh.service.http;

/** RFC 9457 problem details, served as {@code application/problem+json}. */
record ProblemJson(String type, String title, int status, String detail, String instance) {

    static final String MEDIA_TYPE = "application/problem+json";
}
