package io.nvmesh.api;

/** RFC 9457 problem details, served as {@code application/problem+json}: every error of the API. */
public record ProblemJson(String type, String title, int status, String detail, String instance) {

    public static final String MEDIA_TYPE = "application/problem+json";
}
